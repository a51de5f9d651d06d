// The examples, served by the real gateway, used by real clients.
import assert from 'node:assert/strict'
import path from 'node:path'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { startDev } from '../src/dev/serve.ts'
import { PRUNE_GRACE_MS } from '../runtime/connection-registry.ts'
import { ask, connect, type Client } from './helpers/clients.ts'

const EXAMPLES = path.join(import.meta.dirname, '../examples')

describe('examples/echo', () => {
  test('echoes route frames, JSON and text', async () => {
    const server = await startDev({ configFile: path.join(EXAMPLES, 'echo/serverless.yml'), port: 0, log: () => {} })
    try {
      const client = await connect(server.url)
      assert.deepEqual(await ask(client, 'message', { foo: 'bar' }), { foo: 'bar' })
      client.send('plain')
      assert.equal(await client.next(), 'plain')
      client.ws.close()
    } finally {
      await server.close()
    }
  })
})

describe('examples/chat', () => {
  const config = path.join(EXAMPLES, 'chat/serverless.yml')

  async function join(url: string, room: string, name: string): Promise<Client> {
    const client = await connect(`${url}?name=${encodeURIComponent(name)}`)
    // The room hears the join, the joiner included; then the joiner gets who is there.
    assert.deepEqual(await ask(client, 'join', { room }), { type: 'joined', room, name })
    const welcome = await client.next()
    assert.equal(welcome.type, 'welcome')
    assert.ok(welcome.members.includes(name))
    return client
  }

  test('a connection without a name is refused with 400', async () => {
    const server = await startDev({ configFile: config, port: 0, log: () => {} })
    try {
      await assert.rejects(connect(server.url), /Unexpected server response: 400/)
    } finally {
      await server.close()
    }
  })

  test('rooms and presence at the default concurrency: members hear each other, other rooms do not', async () => {
    const server = await startDev({ configFile: config, port: 0, log: () => {} })
    try {
      const ada = await join(server.url, 'lobby', 'ada')
      const bob = await join(server.url, 'lobby', 'bob')
      assert.deepEqual(await ada.next(), { type: 'joined', room: 'lobby', name: 'bob' })
      const eve = await join(server.url, 'elsewhere', 'eve')

      bob.send({ route: 'say', data: { text: 'hi all' } })
      const heard = { type: 'message', room: 'lobby', from: 'bob', text: 'hi all' }
      assert.deepEqual(await ada.next(), heard)
      assert.deepEqual(await bob.next(), heard)
      await assert.rejects(eve.next(300), /no frame/)
      const who = await ask(ada, 'who')
      assert.deepEqual(
        { ...who, members: [...who.members].sort() },
        { type: 'members', room: 'lobby', members: ['ada', 'bob'] },
      )

      // Moving rooms: the old room hears the leave, the new one the join.
      eve.send({ route: 'join', data: { room: 'lobby' } })
      assert.deepEqual(await ada.next(), { type: 'joined', room: 'lobby', name: 'eve' })
      assert.deepEqual(await eve.next(), { type: 'joined', room: 'lobby', name: 'eve' })
      assert.deepEqual((await eve.next()).members.sort(), ['ada', 'bob', 'eve'])

      bob.ws.close()
      assert.deepEqual(await ada.next(), { type: 'left', room: 'lobby', name: 'bob' })
      for (const c of [ada, eve]) c.ws.close()
    } finally {
      await server.close()
    }
  })

  test("3 rooms x 10 clients at the default concurrency: each hears exactly its own room's 10 messages", async () => {
    const server = await startDev({ configFile: config, port: 0, log: () => {} })
    try {
      const clients = await Promise.all(
        Array.from({ length: 30 }, (_, i) => connect(`${server.url}?name=${`user-${i}`}`)),
      )
      const roomOf = (i: number) => `room-${i % 3}`
      // Every join is done once its joiner got its welcome: the join notices to the room are posted before it.
      await Promise.all(
        clients.map(async (c, i) => {
          c.send({ route: 'join', data: { room: roomOf(i) } })
          while ((await c.next(10_000)).type !== 'welcome');
        }),
      )
      // The notices of later joins: read until each client has been quiet for a moment.
      const drain = async (c: Client) => {
        try {
          for (;;) assert.equal((await c.next(300)).type, 'joined')
        } catch (error) {
          if (!/no frame/.test(String(error))) throw error
        }
      }
      await Promise.all(clients.map(drain))
      for (const [i, c] of clients.entries()) c.send({ route: 'say', data: { text: `hello from ${i}` } })
      await Promise.all(
        clients.map(async (c, i) => {
          const heard = []
          for (let n = 0; n < 10; n++) heard.push(await c.next(10_000))
          await assert.rejects(c.next(300), /no frame/, "nothing beyond its room's 10 messages")
          assert.ok(heard.every((m) => m.type === 'message' && m.room === roomOf(i)))
          const expected = clients
            .map((_c, j) => j)
            .filter((j) => roomOf(j) === roomOf(i))
            .map((j) => `user-${j}`)
          assert.deepEqual(heard.map((m) => m.from).sort(), expected.sort())
        }),
      )
      for (const c of clients) c.ws.close()
    } finally {
      await server.close()
    }
  })

  test('a member that vanished without a $disconnect is pruned by the next send to its room', async () => {
    const lines: string[] = []
    const server = await startDev({ configFile: config, port: 0, dropDisconnect: true, log: (l) => lines.push(l) })
    try {
      const ada = await join(server.url, 'lobby', 'ada')
      const bob = await join(server.url, 'lobby', 'bob')
      await ada.next() // bob joined
      bob.ws.close()
      await bob.closed
      // A 410 within PRUNE_GRACE_MS of registering may be a handshake still completing: not pruned yet.
      ada.send({ route: 'say', data: { text: 'early' } })
      assert.equal((await ada.next()).text, 'early')
      assert.deepEqual((await ask(ada, 'who')).members.sort(), ['ada', 'bob'])
      await sleep(PRUNE_GRACE_MS)

      ada.send({ route: 'say', data: { text: 'anyone?' } })
      assert.equal((await ada.next()).text, 'anyone?')
      // ada hears herself before bob's 410 comes back: wait for the prune to reach the registry.
      for (let i = 0; i < 100 && server.registry.connectionCount > 1; i++) await sleep(20)
      assert.equal(server.registry.connectionCount, 1)
      const cy = await join(server.url, 'lobby', 'cy')
      assert.deepEqual((await ask(cy, 'who')).members.sort(), ['ada', 'cy'])
      assert.ok(!lines.some((l) => l.startsWith('$disconnect')), '$disconnect was dropped')
      for (const c of [ada, cy]) c.ws.close()
    } finally {
      await server.close()
    }
  })
})
