// Every field of the CONNECT, MESSAGE and DISCONNECT events the local gateway delivers, against the shapes of events
// captured from AWS (test/fixtures/events/aws, sources in its README): names, nesting, key order and value types.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { startDev, type DevServer } from '../src/dev/serve.ts'
import { ask, connect } from './helpers/clients.ts'

const FIXTURES = path.join(import.meta.dirname, 'fixtures')
const aws = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, 'events', 'aws', `${name}.json`), 'utf8'))

/** The shape of a JSON value: objects keep their key order, leaves become their type. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [shape(value[0])] : []
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]))
  return value === null ? 'null' : typeof value
}

/** Shape with the key order made visible, so a reordering fails the comparison too. */
const ordered = (value: unknown) => JSON.stringify(shape(value))

describe('event shapes match events captured from AWS', () => {
  let server: DevServer
  before(async () => {
    server = await startDev({
      configFile: path.join(FIXTURES, 'gateway', 'serverless.yml'),
      port: 0,
      maxEnvironments: 1,
      log: () => {},
    })
  })
  after(() => server.close())

  test('CONNECT without a User-Agent: identity is { sourceIp } only; query fields before requestContext', async () => {
    // `ws` sends no User-Agent unless told to, like the client in the capture.
    const client = await connect(`${server.url}?room=lobby`)
    const event = (await ask(client, 'lastConnect')).event
    const expected = aws('connect')
    assert.equal(ordered(event.requestContext), ordered(expected.requestContext))
    assert.deepEqual(Object.keys(event), Object.keys(expected))
    assert.deepEqual(event.requestContext.identity, { sourceIp: '127.0.0.1' })
    // The handshake headers of the capture are all there (the local gateway adds no others but what the client sent).
    for (const name of Object.keys(expected.headers)) assert.equal(typeof event.headers[name], 'string', name)
    client.ws.close()
  })

  test('MESSAGE with a User-Agent: identity is { userAgent, sourceIp }, in that order', async () => {
    const client = await connect(server.url, undefined, { headers: { 'User-Agent': 'example-client/1.0' } })
    const event = await ask(client, 'event')
    assert.equal(ordered(event), ordered(aws('message')))
    assert.deepEqual(event.requestContext.identity, { userAgent: 'example-client/1.0', sourceIp: '127.0.0.1' })
    assert.match(event.requestContext.messageId, /^[A-Za-z0-9_-]{15}=$/)
    assert.match(event.requestContext.requestId, /^[A-Za-z0-9_-]{15}=$/)
    client.ws.close()
  })

  test("DISCONNECT after a close frame without a status code: 1005 and AWS's wording", async () => {
    const client = await connect(server.url)
    const id = (await ask(client, 'event')).requestContext.connectionId
    client.ws.close() // no status code: the close frame is empty
    await client.closed
    const probe = await connect(server.url)
    let found: any
    for (let i = 0; i < 100 && !found; i++) {
      found = await ask(probe, 'disconnectOf', { id })
      if (!found) await sleep(20)
    }
    probe.ws.close()
    const expected = aws('disconnect')
    assert.equal(ordered(found.event), ordered(expected))
    assert.equal(found.event.requestContext.disconnectStatusCode, 1005)
    assert.equal(found.event.requestContext.disconnectReason, 'Client-side close frame status not set')
    assert.deepEqual(found.data, { statusCode: 1005, reason: 'Client-side close frame status not set' })
  })
})
