// The registry's semantics on both of its stores: DynamoDB (the real SDK against moto's DynamoDB, the table in the
// shape socket-action deploy makes) and the in-memory store behind `socket-action dev`. The same scenario runs on
// each, through the registry the runtime uses, so dev and AWS cannot drift apart. The table is the one the engine
// plans.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb'
import { ConnectionRegistry, PRUNE_GRACE_MS } from '../runtime/connection-registry.ts'
import type { ConnectionStore } from '../runtime/connection-store.ts'
import { DynamoConnectionStore } from '../runtime/connection-store-dynamodb.ts'
import { GoneConnectionError } from '../runtime/connections.ts'
import { MemoryConnectionStore, RegistryData } from '../src/dev/connection-store.ts'
import { desiredState } from '../src/engine/desired.ts'
import { AWS_PARTITION } from '../src/engine/names.ts'
import { planDeploy } from '../src/engine/plan.ts'
import { socketConfig } from './helpers/socket-config.ts'
import { startMoto, type Moto } from './helpers/moto.ts'

/** A store that counts its calls by operation, as DynamoDB would bill them. */
function counted(store: ConnectionStore): { store: ConnectionStore; calls: Map<string, number> } {
  const calls = new Map<string, number>()
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        calls.set(String(name), (calls.get(String(name)) ?? 0) + 1)
        return value.apply(target, args)
      }
    },
  })
  return { store: proxy, calls }
}

interface Harness {
  store: () => ConnectionStore
  /** Every item of the table or store, to prove nothing is left behind. */
  items: () => Promise<number>
  reset: () => Promise<void>
}

/** Posts recorded by id; ids in `gone` answer 410 as API Gateway does. */
function network() {
  const received = new Map<string, string[]>()
  const gone = new Set<string>()
  const post = async (id: string, payload: Uint8Array) => {
    if (gone.has(id)) throw new GoneConnectionError(id)
    received.set(id, [...(received.get(id) ?? []), Buffer.from(payload).toString()])
  }
  return { received, gone, post }
}

function scenario(name: string, harness: () => Harness) {
  describe(name, () => {
    const event = (store: ConnectionStore, self: string, post = network().post, now = Date.now, type = 'MESSAGE') =>
      new ConnectionRegistry({
        store,
        self,
        connecting: type === 'CONNECT',
        disconnecting: type === 'DISCONNECT',
        post,
        now,
      })
    const connectAs = async (
      store: ConnectionStore,
      self: string,
      rooms: string[],
      attributes = {},
      now = Date.now,
    ) => {
      const registry = event(store, self, undefined, now, 'CONNECT')
      await registry.set(attributes)
      for (const room of rooms) await registry.join(room)
      await registry.commitConnect()
    }

    test('connect, join, set, members, leave, disconnect: nothing left behind', async () => {
      const h = harness()
      await h.reset()
      const store = h.store()
      await connectAs(store, 'ada', ['lobby'], { name: 'ada' })
      await connectAs(store, 'bob', [])
      const bob = event(store, 'bob')
      await bob.set({ name: 'bob', seat: 7 })
      await bob.join('lobby')
      await bob.join('kitchen')
      await bob.set({ seat: undefined, mood: 'ok' })
      // Another event of bob's (any environment) reads what this one wrote.
      const later = event(store, 'bob')
      assert.deepEqual(await later.get(), { name: 'bob', mood: 'ok' })
      assert.deepEqual((await later.rooms()).sort(), ['kitchen', 'lobby'])
      assert.deepEqual(await event(store, 'ada').get('bob'), { name: 'bob', mood: 'ok' })
      assert.equal(await event(store, 'ada').get('nobody'), undefined)
      // Presence copies the attributes into each membership.
      assert.deepEqual(await later.members('lobby'), [
        { id: 'ada', name: 'ada' },
        { id: 'bob', name: 'bob', mood: 'ok' },
      ])
      await later.leave('lobby')
      assert.deepEqual(await later.members('lobby'), [{ id: 'ada', name: 'ada' }])
      assert.deepEqual(await later.members('kitchen'), [{ id: 'bob', name: 'bob', mood: 'ok' }])

      // Room and all: every member, the sender included.
      const net = network()
      assert.deepEqual(await event(store, 'ada', net.post).fanOut({ all: true }, Buffer.from('hi')), [])
      assert.deepEqual([...net.received.keys()].sort(), ['ada', 'bob'])

      for (const id of ['ada', 'bob']) await event(store, id, undefined, Date.now, 'DISCONNECT').unregister()
      assert.equal(await h.items(), 0)
    })

    test('a join with a stale read, and copies of attributes in the wrong order, keep the newest attributes', async () => {
      const h = harness()
      await h.reset()
      const store = h.store()
      await connectAs(store, 'ada', ['lobby'], { name: 'ada' })
      const stale = event(store, 'ada')
      assert.deepEqual(await stale.get(), { name: 'ada' }) // read, and kept by this event
      await event(store, 'ada').set({ name: 'Ada Lovelace' }) // another event of ada's, in another environment
      await stale.join('kitchen')
      assert.deepEqual(await event(store, 'bob').members('kitchen'), [{ id: 'ada', name: 'Ada Lovelace' }])
      // A copy of the first version arriving after the second's leaves the newer one.
      await store.copyAttributes('ada', ['lobby', 'kitchen'], { name: '"ada"' }, 0)
      assert.deepEqual(await event(store, 'bob').members('lobby'), [{ id: 'ada', name: 'Ada Lovelace' }])
      // Leaving and disconnecting leave nothing, whatever rooms the event had read.
      await stale.leave('kitchen')
      assert.deepEqual(await event(store, 'bob').members('kitchen'), [])
      await event(store, 'ada', undefined, Date.now, 'DISCONNECT').unregister()
      assert.equal(await h.items(), 0)
    })

    test('a refused connect writes nothing; registry calls of an unregistered connection say so', async () => {
      const h = harness()
      await h.reset()
      const store = h.store()
      const connecting = event(store, 'eve', undefined, Date.now, 'CONNECT')
      await connecting.join('lobby')
      await connecting.set({ name: 'eve' })
      assert.deepEqual(await connecting.rooms(), ['lobby'])
      assert.deepEqual(await connecting.get(), { name: 'eve' })
      // No commitConnect: the handler refused.
      assert.equal(await h.items(), 0)
      await assert.rejects(event(store, 'eve').join('lobby'), /connection eve is not in the registry: it disconnected/)
      await assert.rejects(event(store, 'eve').set({ a: 1 }), /connection eve is not in the registry: it disconnected/)
      assert.equal(await h.items(), 0)
    })

    test('gone members are pruned from every room, after the grace period only; expired ones are skipped', async () => {
      const h = harness()
      await h.reset()
      const store = h.store()
      const long = Date.now() - 3 * 3600_000 // registered 3 hours ago: past its TTL
      await connectAs(store, 'old', ['lobby'], {}, () => long)
      await connectAs(store, 'ada', ['lobby'])
      await connectAs(store, 'ghost', ['lobby', 'kitchen'])
      const net = network()
      net.gone.add('ghost')
      // Within the grace period: reported gone, not pruned (its handshake may still be completing).
      assert.deepEqual(await event(store, 'ada', net.post).fanOut({ room: 'lobby' }, Buffer.from('1')), ['ghost'])
      assert.deepEqual([...net.received.keys()], ['ada'], 'the expired member is not posted to')
      assert.deepEqual(
        (await event(store, 'ada').members('kitchen')).map((m) => m.id),
        ['ghost'],
      )
      const later = () => Date.now() + PRUNE_GRACE_MS + 1000
      assert.deepEqual(await event(store, 'ada', net.post, later).fanOut({ room: 'lobby' }, Buffer.from('2')), [
        'ghost',
      ])
      assert.deepEqual(await event(store, 'ada').members('kitchen'), [], 'pruned from its other rooms too')
      assert.equal(await event(store, 'ada').get('ghost'), undefined)
      // Explicit ids: pruned the same way.
      await connectAs(store, 'ghost2', ['lobby'], {}, () => Date.now() - PRUNE_GRACE_MS - 1000)
      await event(store, 'ada').prune([{ id: 'ghost2' }])
      assert.deepEqual(
        (await event(store, 'ada').members('lobby')).map((m) => m.id),
        ['ada'],
      )
    })

    test('a room of 600 members with 4 KB each: every member once, one page per MB read', async () => {
      const h = harness()
      await h.reset()
      const { store, calls } = counted(h.store())
      const ids = Array.from({ length: 600 }, (_, i) => `c${String(i).padStart(5, '0')}`)
      const blob = 'x'.repeat(4096)
      for (let i = 0; i < ids.length; i += 100)
        await Promise.all(ids.slice(i, i + 100).map((id) => connectAs(store, id, ['big'], { blob })))
      calls.clear()
      const net = network()
      assert.deepEqual(await event(store, 'c00000', net.post).fanOut({ room: 'big' }, Buffer.from('x')), [])
      assert.equal(net.received.size, 600)
      assert.ok([...net.received.values()].every((r) => r.length === 1))
      // About 2.5 MB of items: three pages (DynamoDB pages at 1 MB of items read).
      const pages = calls.get('page') ?? 0
      assert.ok(pages >= 3 && pages <= 4, `${pages} pages for 2.5 MB`)
      assert.deepEqual([...calls.keys()], ['page'], 'a send reads pages and nothing else')
      assert.equal((await event(store, 'c00000').members('big')).length, 600)

      // A page that cannot be read (throttled past the SDK's retries) fails the send, as a rejection the caller gets,
      // never an unhandled one, and the members found gone before it are still pruned.
      const unhandled: unknown[] = []
      const record = (reason: unknown) => unhandled.push(reason)
      process.on('unhandledRejection', record)
      try {
        const failing = new Proxy(store, {
          get(target, name, receiver) {
            const value = Reflect.get(target, name, receiver)
            if (name !== 'page') return typeof value === 'function' ? value.bind(target) : value
            return async (scope: never, options: { cursor?: string; attributes: boolean }) => {
              if (options.cursor) throw Object.assign(new Error('Query throttled'), { name: 'ThrottlingException' })
              return value.call(target, scope, options)
            }
          },
        })
        const slow = network()
        slow.gone.add('c00001')
        await assert.rejects(
          event(failing, 'c00000', slow.post, () => Date.now() + PRUNE_GRACE_MS + 1000).fanOut(
            { room: 'big' },
            Buffer.from('x'),
          ),
          /Query throttled/,
        )
        await new Promise((resolve) => setTimeout(resolve, 50))
        assert.deepEqual(unhandled, [])
        assert.equal(await event(store, 'c00000').get('c00001'), undefined, 'the gone member was pruned')
      } finally {
        process.off('unhandledRejection', record)
      }
    })
  })
}

/** CreateTable as socket-action deploy plans it for a stage with `connections: registry`. */
function deployedTable() {
  const desired = desiredState({
    socket: socketConfig({ connections: 'registry' }),
    identity: { app: 'rooms', stage: 'test', repo: 'local', region: 'us-east-1' },
    region: 'us-east-1',
    account: '123456789012',
    partition: AWS_PARTITION,
    codeSha256: 'sha',
    handler: 'index.handler',
    version: '1',
  })
  const create = planDeploy(desired, {
    account: '123456789012',
    partition: AWS_PARTITION,
    apis: [],
    foreign: [],
  }).actions.find((a) => a.write === 'CreateTable')
  assert.ok(create?.write === 'CreateTable')
  return create.params
}

let moto: Moto
let client: DynamoDBClient
const TABLE = 'rooms-test-connections'
before(async () => {
  moto = await startMoto()
  process.env.AWS_ENDPOINT_URL_DYNAMODB = moto.endpoint
  process.env.AWS_ACCESS_KEY_ID = 'test'
  process.env.AWS_SECRET_ACCESS_KEY = 'test'
  process.env.AWS_REGION = 'us-east-1'
  client = new DynamoDBClient({})
})
after(async () => {
  await moto?.stop()
})

scenario('on DynamoDB (moto)', () => ({
  store: () => new DynamoConnectionStore(TABLE),
  async items() {
    const out = await client.send(new ScanCommand({ TableName: TABLE, Select: 'COUNT' }))
    return out.Count ?? 0
  },
  async reset() {
    await client.send(new DeleteTableCommand({ TableName: TABLE })).catch(() => {})
    await client.send(new CreateTableCommand({ ...deployedTable(), TableName: TABLE }))
  },
}))

const data = new RegistryData()
scenario("in dev (the gateway's store)", () => ({
  store: () => new MemoryConnectionStore(data),
  items: async () => [...data.partitions.values()].reduce((n, p) => n + p.items.size, 0),
  reset: async () => data.partitions.clear(),
}))
