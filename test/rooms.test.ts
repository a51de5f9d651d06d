// The connection registry in `socket-action dev`: real `ws` clients, the real gateway, Lambda environments in worker
// threads sharing the gateway's registry. The same semantics run on DynamoDB in test/registry-dynamodb.test.ts.
import assert from 'node:assert/strict'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { type DevServer, startDev } from '../src/dev/serve.ts'
import { ask, type Client, connect } from './helpers/clients.ts'

const FIXTURES = path.join(import.meta.dirname, 'fixtures')

/** Sends a route frame and returns its `ok`, or throws its `error`. */
async function call(client: Client, route: string, data?: unknown): Promise<any> {
  const answer = await ask(client, route, data)
  if ('error' in answer) throw new Error(answer.error)
  return answer.ok
}

/** Frames until `count` arrived, then asserts no other comes within `quietMs`. */
async function exactly(client: Client, count: number, quietMs = 300): Promise<any[]> {
  const frames = []
  for (let i = 0; i < count; i++) frames.push(await client.next(10_000))
  await assert.rejects(client.next(quietMs), /no frame/, 'no frame beyond the expected ones')
  return frames
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 250 && !check(); i++) await sleep(20)
  assert.ok(check(), `timed out waiting for ${what}`)
}

describe('the connection registry in dev', () => {
  let server: DevServer
  before(async () => {
    server = await startDev({ configFile: path.join(FIXTURES, 'rooms/serverless.yml'), port: 0, log: () => {} })
  })
  after(() => server.close())

  test("3 rooms x 10 clients at concurrency 10: each client gets exactly its room's 10 messages", async () => {
    assert.equal(server.registry.connectionCount, 0)
    const clients = await Promise.all(Array.from({ length: 30 }, () => connect(server.url)))
    const ids = await Promise.all(clients.map((c) => call(c, 'whoami')))
    const roomOf = (i: number) => `room-${i % 3}`
    await Promise.all(clients.map((c, i) => call(c, 'join', { room: roomOf(i) })))
    // Every client sends once, all at the same time: 10 environments serve them.
    for (const [i, c] of clients.entries()) c.send({ route: 'say', data: { room: roomOf(i), text: `from ${i}` } })
    await Promise.all(
      clients.map(async (c, i) => {
        const frames = await exactly(c, 11) // 10 messages of the room, and the answer to its own say
        const messages = frames.filter((f) => 'text' in f)
        const answers = frames.filter((f) => 'ok' in f)
        assert.deepEqual(answers, [{ ok: [] }], 'its say found no gone member')
        assert.equal(messages.length, 10)
        assert.ok(
          messages.every((m) => m.room === roomOf(i)),
          'only its own room',
        )
        const senders = new Set(messages.map((m) => m.from))
        assert.deepEqual(
          [...senders].sort(),
          ids.filter((_id, j) => roomOf(j) === roomOf(i)).sort(),
          'one message from each member, itself included',
        )
      }),
    )
    assert.equal(server.registry.connectionCount, 30)
    for (const c of clients) c.ws.close()
    await until(() => server.registry.connectionCount === 0, '$disconnect to unregister all 30')
    assert.equal(server.registry.partitions.size, 0, 'no membership is left behind')
  })

  test('join, leave, rooms and members; attributes set in one event are read in every later one', async () => {
    const ada = await connect(`${server.url}?name=ada&room=lobby`)
    const bob = await connect(server.url)
    const adaId = await call(ada, 'whoami')
    const bobId = await call(bob, 'whoami')
    // What on('connect') joined and set is there once it accepted.
    assert.deepEqual(await call(ada, 'rooms'), ['lobby'])
    assert.deepEqual(await call(ada, 'get'), { name: 'ada' })
    assert.deepEqual(await call(bob, 'get'), {})

    await call(bob, 'set', { attributes: { name: 'bob', seat: 7, tags: ['x'] } })
    await call(bob, 'join', { room: 'lobby' })
    await call(bob, 'join', { room: 'kitchen' })
    assert.deepEqual((await call(bob, 'rooms')).sort(), ['kitchen', 'lobby'])
    // Merge: one name changes, one goes (undefined is dropped by JSON, so null is sent and then removed below).
    await call(bob, 'set', { attributes: { seat: 8 } })
    assert.deepEqual(await call(ada, 'get', { id: bobId }), { name: 'bob', seat: 8, tags: ['x'] })
    const members = await call(ada, 'members', { room: 'lobby' })
    assert.deepEqual(
      members.sort((a: any, b: any) => a.id.localeCompare(b.id)),
      [
        { id: adaId, name: 'ada' },
        { id: bobId, name: 'bob', seat: 8, tags: ['x'] },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    )

    await call(bob, 'leave', { room: 'lobby' })
    assert.deepEqual(await call(bob, 'rooms'), ['kitchen'])
    assert.deepEqual(await call(ada, 'members', { room: 'lobby' }), [{ id: adaId, name: 'ada' }])
    assert.deepEqual(await call(ada, 'members', { room: 'nobody-here' }), [])
    assert.equal(await call(ada, 'get', { id: 'not-a-connection' }), null)

    // Broadcast to everyone: both hear it, and the sender gets its answer.
    ada.send({ route: 'all', data: { text: 'hello all' } })
    assert.deepEqual(await bob.next(), { from: adaId, all: 'hello all' })
    const adaFrames = [await ada.next(), await ada.next()]
    assert.deepEqual(
      adaFrames.sort((a, b) => ('ok' in a ? 1 : 0) - ('ok' in b ? 1 : 0)),
      [{ from: adaId, all: 'hello all' }, { ok: [] }],
    )
    for (const c of [ada, bob]) c.ws.close()
    await until(() => server.registry.connectionCount === 0, 'both to unregister')
  })

  test('a refused connection is never registered', async () => {
    await assert.rejects(connect(`${server.url}?room=lobby&reject=1`), /Unexpected server response: 403/)
    await sleep(100)
    assert.equal(server.registry.connectionCount, 0)
    assert.equal(server.registry.partitions.size, 0)
  })

  test("bad input: room names, attributes, and items over DynamoDB's 400 KB", async () => {
    const c = await connect(server.url)
    for (const room of ['', 'x'.repeat(129), 'line\nbreak', 'bell\u0007', 42]) {
      await assert.rejects(call(c, 'join', { room }), /room name is 1 to 128 printable characters/)
      await assert.rejects(call(c, 'say', { room, text: 'x' }), /room name is 1 to 128 printable characters/)
    }
    assert.deepEqual(await call(c, 'join', { room: 'x'.repeat(128) }), null)
    assert.deepEqual(await call(c, 'join', { room: 'ünïcödé 🎉 room' }), null)
    await assert.rejects(call(c, 'set', { attributes: [1, 2] }), /attributes are an object of JSON values/)
    await assert.rejects(call(c, 'set', { attributes: 'ada' }), /attributes are an object of JSON values/)
    await assert.rejects(
      call(c, 'set-large', { name: 'big', bytes: 420 * 1024 }),
      /ItemTooLargeError: .*over the 400 KB DynamoDB allows per item/,
    )
    // Two halves that fit alone, not together: the store refuses the merge.
    await call(c, 'set-large', { name: 'a', bytes: 220 * 1024 })
    await assert.rejects(call(c, 'set-large', { name: 'b', bytes: 220 * 1024 }), /ItemTooLargeError: .*400 KB/)
    assert.deepEqual(await call(c, 'attribute-names'), ['a'])
    c.ws.close()
    await until(() => server.registry.connectionCount === 0, 'the client to unregister')
  })

  test('the registry answers only the function: its per-run token and its header, or 403', async () => {
    const base = server.url.replace(/^ws/, 'http')
    const body = JSON.stringify({ op: 'page', args: [{ all: true }, { attributes: true }] })
    const post = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } })
    const header = { 'x-socket-action-registry': '1' }
    assert.equal((await post('/@registry', header)).status, 403, 'no token')
    assert.equal((await post('/@registry/0123456789abcdef0123456789abcdef', header)).status, 403, 'another token')
    assert.equal((await post(`/@registry/${server.registry.token}`)).status, 403, 'no header')
    const answer = await post(`/@registry/${server.registry.token}`, header)
    assert.equal(answer.status, 200)
    assert.deepEqual(await answer.json(), { result: { members: [] } })
  })

  test('broadcast to explicit ids still works, and prunes the ids that are gone', async () => {
    const a = await connect(server.url)
    const b = await connect(server.url)
    const bId = await call(b, 'whoami')
    assert.deepEqual(await call(a, 'ids', { ids: [bId, 'never-connected'] }), ['never-connected'])
    assert.deepEqual(await b.next(), { from: await call(a, 'whoami'), to: 'ids' })
    for (const c of [a, b]) c.ws.close()
    await until(() => server.registry.connectionCount === 0, 'both to unregister')
  })
})

describe('without connections: registry', () => {
  test('every registry call says which serverless.yml input to add; the rest of the socket works', async () => {
    const server = await startDev({
      configFile: path.join(FIXTURES, 'rooms-off/serverless.yml'),
      port: 0,
      log: () => {},
    })
    try {
      const c = await connect(server.url)
      for (const [route, data] of [
        ['join', { room: 'lobby' }],
        ['leave', { room: 'lobby' }],
        ['rooms', undefined],
        ['say', { room: 'lobby', text: 'x' }],
        ['all', { text: 'x' }],
        ['set', { attributes: { a: 1 } }],
        ['get', undefined],
        ['members', { room: 'lobby' }],
      ] as const) {
        await assert.rejects(
          call(c, route, data),
          /RegistryMissingError: socket\.\w+\(\) needs the connection registry.*add "connections: registry" to the inputs/,
          route,
        )
      }
      const id = await call(c, 'whoami')
      c.send({ route: 'ids', data: { ids: [id] } })
      assert.deepEqual(await c.next(), { from: id, to: 'ids' })
      assert.deepEqual(await c.next(), { ok: [] })
      assert.equal(server.registry.connectionCount, 0, 'nothing registers without the input')
      c.ws.close()
    } finally {
      await server.close()
    }
  })
})
