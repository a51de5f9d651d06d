// The Lambda runtime: event dispatch, handler results, and the socket's @connections calls through the real AWS SDK client.

// Dummy credentials so the SDK can sign requests to the local @connections server; set before any client exists.
process.env.AWS_ACCESS_KEY_ID = 'AKIDTESTTESTTESTTEST'
process.env.AWS_SECRET_ACCESS_KEY = 'test-secret-access-key'
process.env.AWS_REGION = 'us-east-1'
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

import { after, afterEach, before, beforeEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  broadcast,
  clientFor,
  connectionsEndpoint,
  ENDPOINT_VARIABLE,
  GoneConnectionError,
} from '../runtime/connections.ts'
import { dispatchOf, handle, socketFor, toProxyResult } from '../runtime/handler.ts'
import { clearHandlers, on } from '../runtime/registry.ts'
import { SMOKE_MARKER } from '../runtime/smoke.ts'
import type { Socket, WebSocketEvent } from '../runtime/types.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const eventsDir = path.join(here, 'fixtures', 'events')

/** A fresh deep copy of a fixture event, so tests can modify it. */
function fixture(name: string): WebSocketEvent {
  return JSON.parse(readFileSync(path.join(eventsDir, `${name}.json`), 'utf8')) as WebSocketEvent
}

/** A MESSAGE event (from message-route.json) with another body and routeKey. */
function messageWith(body: string, routeKey = '$default'): WebSocketEvent {
  const event = fixture('message-route')
  event.body = body
  event.requestContext.routeKey = routeKey
  return event
}

const CONN_ID = 'XfGLwdiKNjMCJ-A='

beforeEach(() => clearHandlers())
afterEach(() => clearHandlers())

// ---------------------------------------------------------------------------
// fixtures: the shapes themselves

describe('event fixtures follow the API Gateway WebSocket shapes', () => {
  const all = [
    'connect',
    'connect-no-query',
    'message-route',
    'message-default-json',
    'message-text',
    'message-unmatched-route',
    'message-numeric-route',
    'disconnect',
  ]
  for (const name of all) {
    test(`${name}.json has a full requestContext`, () => {
      const event = fixture(name)
      const ctx = event.requestContext
      assert.equal(event.isBase64Encoded, false)
      for (const key of [
        'routeKey',
        'eventType',
        'connectionId',
        'domainName',
        'stage',
        'apiId',
        'requestId',
        'extendedRequestId',
        'requestTime',
        'requestTimeEpoch',
        'connectedAt',
        'messageDirection',
        'identity',
      ] as const) {
        assert.ok(ctx[key] !== undefined && ctx[key] !== null, `${name}: requestContext.${key} missing`)
      }
      assert.equal(ctx.messageDirection, 'IN')
      assert.match(ctx.domainName, /^[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com$/)
      assert.equal(ctx.domainName.split('.')[0], ctx.apiId)
      assert.match(ctx.requestTime!, /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/)
      assert.equal(typeof ctx.identity?.sourceIp, 'string')
      assert.equal(typeof ctx.identity?.userAgent, 'string')
      assert.equal('messageId' in ctx, ctx.eventType === 'MESSAGE', `${name}: messageId only on MESSAGE events`)
      if (ctx.eventType === 'MESSAGE') {
        assert.equal(typeof event.body, 'string')
        assert.equal('headers' in event, false)
      } else {
        assert.equal('body' in event, false)
      }
    })
  }

  test('connect.json carries the handshake headers and the query', () => {
    const event = fixture('connect')
    for (const h of [
      'Host',
      'Sec-WebSocket-Key',
      'Sec-WebSocket-Version',
      'Sec-WebSocket-Extensions',
      'X-Forwarded-For',
      'X-Forwarded-Port',
      'X-Forwarded-Proto',
      'X-Amzn-Trace-Id',
    ]) {
      assert.equal(typeof event.headers?.[h], 'string', h)
      assert.deepEqual(event.multiValueHeaders?.[h], [event.headers?.[h]], h)
    }
    assert.deepEqual(event.queryStringParameters, { token: 's3cr3t', room: 'lobby' })
    assert.deepEqual(event.multiValueQueryStringParameters, { token: ['s3cr3t'], room: ['lobby'] })
    assert.equal(event.requestContext.routeKey, '$connect')
  })

  test('connect-no-query.json has no query fields at all', () => {
    const event = fixture('connect-no-query')
    assert.equal('queryStringParameters' in event, false)
    assert.equal('multiValueQueryStringParameters' in event, false)
  })

  test('disconnect.json has only the four $disconnect headers', () => {
    const event = fixture('disconnect')
    assert.deepEqual(Object.keys(event.headers!).sort(), ['Host', 'X-Forwarded-For', 'x-api-key', 'x-restapi'])
    assert.equal(event.headers!['x-api-key'], '')
    assert.equal(event.headers!['x-restapi'], '')
    assert.equal(event.requestContext.disconnectStatusCode, 1001)
    assert.equal(event.requestContext.disconnectReason, 'Going away')
  })
})

// ---------------------------------------------------------------------------
// dispatch

describe('dispatchOf', () => {
  test('connect -> "connect" with headers and query', () => {
    const event = fixture('connect')
    assert.deepEqual(dispatchOf(event), {
      route: 'connect',
      data: { headers: event.headers, query: { token: 's3cr3t', room: 'lobby' } },
    })
  })

  test('connect without a query -> query is {}', () => {
    const event = fixture('connect-no-query')
    const { route, data } = dispatchOf(event)
    assert.equal(route, 'connect')
    assert.deepEqual(data, { headers: event.headers, query: {} })
  })

  test('disconnect -> {statusCode: 1001, reason: "Going away"}', () => {
    assert.deepEqual(dispatchOf(fixture('disconnect')), {
      route: 'disconnect',
      data: { statusCode: 1001, reason: 'Going away' },
    })
  })

  test('disconnect without a reason -> reason ""', () => {
    const event = fixture('disconnect')
    event.requestContext.disconnectStatusCode = 1006
    delete event.requestContext.disconnectReason
    assert.deepEqual(dispatchOf(event).data, { statusCode: 1006, reason: '' })
  })

  test('route frame -> that route with the frame\'s data (routeKey "message")', () => {
    on('message', () => {})
    assert.deepEqual(dispatchOf(fixture('message-route')), { route: 'message', data: { foo: 'bar' } })
  })

  test('route frame delivered with routeKey "$default" -> still that route', () => {
    on('message', () => {})
    const event = fixture('message-route')
    event.requestContext.routeKey = '$default'
    assert.deepEqual(dispatchOf(event), { route: 'message', data: { foo: 'bar' } })
  })

  test('route frame whose route has no handler -> default with the whole parsed body', () => {
    on('default', () => {})
    assert.deepEqual(dispatchOf(fixture('message-unmatched-route')), {
      route: 'default',
      data: { route: 'nope', data: { x: 1 } },
    })
    // message-route.json too, when nothing is registered for "message"
    assert.deepEqual(dispatchOf(fixture('message-route')), {
      route: 'default',
      data: { route: 'message', data: { foo: 'bar' } },
    })
  })

  test('JSON without route -> default with the parsed object', () => {
    assert.deepEqual(dispatchOf(fixture('message-default-json')), { route: 'default', data: { text: 'hello', n: 3 } })
  })

  test('non-JSON body -> default with the raw text', () => {
    assert.deepEqual(dispatchOf(fixture('message-text')), { route: 'default', data: 'hello, plain text' })
  })

  test('numeric route 7 matches a handler registered as "7"', () => {
    on('7', () => {})
    assert.deepEqual(dispatchOf(fixture('message-numeric-route')), { route: '7', data: 'seven' })
  })

  test('numeric route with no "7" handler -> default with the whole body', () => {
    assert.deepEqual(dispatchOf(fixture('message-numeric-route')), {
      route: 'default',
      data: { route: 7, data: 'seven' },
    })
  })

  test('frames {"route":"connect"|"disconnect"|"default"} never select a lifecycle route', () => {
    on('connect', () => {})
    on('disconnect', () => {})
    on('default', () => {})
    for (const route of ['connect', 'disconnect', 'default']) {
      const body = { route, data: { token: 'forged' } }
      assert.deepEqual(dispatchOf(messageWith(JSON.stringify(body))), { route: 'default', data: body }, route)
      assert.deepEqual(
        dispatchOf(messageWith(JSON.stringify(body), route)),
        { route: 'default', data: body },
        `${route} (routeKey ${route})`,
      )
    }
  })

  test('JSON arrays, null, numbers and strings go to default as parsed', () => {
    on('route', () => {})
    assert.deepEqual(dispatchOf(messageWith('[{"route":"route"},2]')), {
      route: 'default',
      data: [{ route: 'route' }, 2],
    })
    assert.deepEqual(dispatchOf(messageWith('null')), { route: 'default', data: null })
    assert.deepEqual(dispatchOf(messageWith('42')), { route: 'default', data: 42 })
    assert.deepEqual(dispatchOf(messageWith('"route"')), { route: 'default', data: 'route' })
  })

  test('a route frame without data -> data undefined', () => {
    on('ping', () => {})
    assert.deepEqual(dispatchOf(messageWith('{"route":"ping"}')), { route: 'ping', data: undefined })
  })

  test('a base64-encoded body is decoded before parsing', () => {
    on('message', () => {})
    const event = fixture('message-route')
    event.isBase64Encoded = true
    event.body = Buffer.from(fixture('message-route').body!).toString('base64')
    assert.deepEqual(dispatchOf(event), { route: 'message', data: { foo: 'bar' } })
  })
})

// ---------------------------------------------------------------------------
// handle: handlers called, and their return values

/** Silences the one-time "no default handler" warning so it does not clutter the test output. */
function quietWarn(t: { mock: { method: (o: object, m: string, impl: (...a: unknown[]) => void) => unknown } }) {
  t.mock.method(console, 'warn', () => {})
}

describe('handle', () => {
  test('calls the connect handler with {headers, query} and a socket for this connection', async () => {
    const calls: Array<[unknown, Socket]> = []
    on('connect', (data, socket) => {
      calls.push([data, socket])
    })
    const event = fixture('connect')
    assert.deepEqual(await handle(event), { statusCode: 200 })
    assert.equal(calls.length, 1)
    const [data, socket] = calls[0]!
    assert.deepEqual(data, { headers: event.headers, query: { token: 's3cr3t', room: 'lobby' } })
    assert.equal(socket.id, 'XfGLwdiKNjMCJ-A=')
    assert.equal(socket.domain, 'abc123def4.execute-api.us-east-1.amazonaws.com')
    assert.equal(socket.stage, 'dev')
    assert.equal(socket.event, event)
  })

  test('calls the disconnect handler with {statusCode, reason}', async () => {
    const seen: unknown[] = []
    on('disconnect', (data) => {
      seen.push(data)
    })
    await handle(fixture('disconnect'))
    assert.deepEqual(seen, [{ statusCode: 1001, reason: 'Going away' }])
  })

  test('route frame with routeKey "$default" reaches the route handler, not default', async () => {
    const seen: string[] = []
    on('message', (data) => {
      seen.push(`message:${JSON.stringify(data)}`)
    })
    on('default', (data) => {
      seen.push(`default:${JSON.stringify(data)}`)
    })
    await handle(fixture('message-route'))
    await handle(messageWith('{"route":"message","data":{"foo":"baz"}}', '$default'))
    assert.deepEqual(seen, ['message:{"foo":"bar"}', 'message:{"foo":"baz"}'])
  })

  test('frames naming connect/disconnect never reach those handlers', async () => {
    const seen: Array<[string, unknown]> = []
    on('connect', (data) => void seen.push(['connect', data]))
    on('disconnect', (data) => void seen.push(['disconnect', data]))
    on('default', (data) => void seen.push(['default', data]))
    await handle(messageWith('{"route":"connect","data":{"headers":{}}}'))
    await handle(messageWith('{"route":"disconnect"}'))
    assert.deepEqual(seen, [
      ['default', { route: 'connect', data: { headers: {} } }],
      ['default', { route: 'disconnect' }],
    ])
  })

  test('text, JSON, unmatched, array and null messages reach default', async (t) => {
    quietWarn(t)
    const seen: unknown[] = []
    on('default', (data) => void seen.push(data))
    await handle(fixture('message-text'))
    await handle(fixture('message-default-json'))
    await handle(fixture('message-unmatched-route'))
    await handle(messageWith('[1,2,3]'))
    await handle(messageWith('null'))
    assert.deepEqual(seen, [
      'hello, plain text',
      { text: 'hello', n: 3 },
      { route: 'nope', data: { x: 1 } },
      [1, 2, 3],
      null,
    ])
  })

  test('numeric route reaches the "7" handler', async () => {
    const seen: unknown[] = []
    on('7', (data) => void seen.push(data))
    on('default', () => assert.fail('default must not run'))
    await handle(fixture('message-numeric-route'))
    assert.deepEqual(seen, ['seven'])
  })

  test('a number result is the statusCode', async () => {
    on('connect', () => 401)
    assert.deepEqual(await handle(fixture('connect')), { statusCode: 401 })
  })

  test('an async number result is the statusCode', async () => {
    on('connect', async () => 403)
    assert.deepEqual(await handle(fixture('connect')), { statusCode: 403 })
  })

  test('{statusCode, headers, body} passes through', async () => {
    on('connect', () => ({ statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'myprotocol' }, body: 'welcome' }))
    assert.deepEqual(await handle(fixture('connect')), {
      statusCode: 200,
      headers: { 'Sec-WebSocket-Protocol': 'myprotocol' },
      body: 'welcome',
    })
  })

  test('undefined -> 200 without body', async () => {
    on('message', () => undefined)
    const result = await handle(fixture('message-route'))
    assert.deepEqual(result, { statusCode: 200 })
    assert.equal('body' in result, false)
  })

  test('a string -> 200 with that body', async () => {
    on('message', async () => 'pong')
    assert.deepEqual(await handle(fixture('message-route')), { statusCode: 200, body: 'pong' })
  })

  test('no connect handler -> 200', async () => {
    on('message', () => 500) // registered but irrelevant
    assert.deepEqual(await handle(fixture('connect')), { statusCode: 200 })
    assert.deepEqual(await handle(fixture('disconnect')), { statusCode: 200 })
  })

  test('no default handler -> 200 and the message is dropped with a warning', async (t) => {
    const warn = t.mock.method(console, 'warn', () => {})
    assert.deepEqual(await handle(fixture('message-text')), { statusCode: 200 })
    // The warning is printed once per process; another test may already have triggered it.
    assert.ok(warn.mock.callCount() <= 1)
  })

  test('a thrown error is logged with route and connectionId, then rethrown', async (t) => {
    const lines: string[] = []
    t.mock.method(console, 'error', (...args: unknown[]) => void lines.push(args.map(String).join(' ')))
    const boom = new Error('database unreachable')
    on('message', async () => {
      throw boom
    })
    await assert.rejects(handle(fixture('message-route')), (err) => err === boom)
    assert.equal(lines.length, 1)
    const line = lines[0]!
    assert.ok(line.includes('message'), line)
    assert.ok(line.includes(CONN_ID), line)
    const logged = JSON.parse(line) as {
      level: string
      route: string
      connectionId: string
      error: { message: string }
    }
    assert.equal(logged.level, 'error')
    assert.equal(logged.route, 'message')
    assert.equal(logged.connectionId, CONN_ID)
    assert.equal(logged.error.message, 'database unreachable')
  })

  test('a synchronous throw in connect is logged and rethrown too', async (t) => {
    const lines: string[] = []
    t.mock.method(console, 'error', (...args: unknown[]) => void lines.push(args.map(String).join(' ')))
    on('connect', () => {
      throw new RangeError('bad token')
    })
    await assert.rejects(handle(fixture('connect')), { name: 'RangeError', message: 'bad token' })
    assert.equal(lines.length, 1)
    assert.match(lines[0]!, /"route":"connect"/)
    assert.ok(lines[0]!.includes(`"connectionId":"${CONN_ID}"`))
  })

  test('rejects a non-WebSocket event with a TypeError', async () => {
    const httpApiEvent = {
      version: '2.0',
      routeKey: 'GET /',
      rawPath: '/',
      requestContext: { http: { method: 'GET' } },
    }
    for (const bad of [httpApiEvent, {}, undefined, null]) {
      await assert.rejects(handle(bad as unknown as WebSocketEvent), (err: unknown) => {
        assert.ok(err instanceof TypeError)
        assert.match(err.message, /not an API Gateway WebSocket event/)
        return true
      })
    }
  })
})

describe('toProxyResult', () => {
  test('maps every kind of handler result', () => {
    assert.deepEqual(toProxyResult(undefined), { statusCode: 200 })
    assert.deepEqual(toProxyResult(null), { statusCode: 200 })
    assert.deepEqual(toProxyResult(204), { statusCode: 204 })
    assert.deepEqual(toProxyResult(''), { statusCode: 200, body: '' })
    assert.deepEqual(toProxyResult('hi'), { statusCode: 200, body: 'hi' })
    assert.deepEqual(toProxyResult({ statusCode: 401 }), { statusCode: 401 })
    assert.deepEqual(toProxyResult({ statusCode: 200, body: { ok: true } } as never), {
      statusCode: 200,
      body: '{"ok":true}',
    })
    assert.deepEqual(toProxyResult({ ok: true, n: 1 }), { statusCode: 200, body: '{"ok":true,"n":1}' })
  })
})

// ---------------------------------------------------------------------------
// connectionsEndpoint

describe('connectionsEndpoint', () => {
  const env = { AWS_REGION: 'eu-west-1' }
  test('built from the API id and the function region, whatever domainName says', () => {
    assert.equal(
      connectionsEndpoint({ apiId: 'abc123defg', stage: 'prod' }, env),
      'https://abc123defg.execute-api.eu-west-1.amazonaws.com/prod',
    )
  })
  test('China regions use the amazonaws.com.cn suffix', () => {
    assert.equal(
      connectionsEndpoint({ apiId: 'abc', stage: 'dev' }, { AWS_REGION: 'cn-north-1' }),
      'https://abc.execute-api.cn-north-1.amazonaws.com.cn/dev',
    )
  })
  test('AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI wins (how dev points the function at the local gateway)', () => {
    const local = { ...env, [ENDPOINT_VARIABLE]: 'http://127.0.0.1:3001/dev/' }
    assert.equal(connectionsEndpoint({ apiId: 'abc', stage: 'dev' }, local), 'http://127.0.0.1:3001/dev')
  })
  test('no region: a clear error, not a request to a wrong host', () => {
    assert.throws(() => connectionsEndpoint({ apiId: 'abc', stage: 'dev' }, {}), /AWS_REGION is not set/)
  })
  test('a custom domainName: the SDK client of socket.send targets execute-api, not the custom domain', async () => {
    const saved = process.env[ENDPOINT_VARIABLE]
    delete process.env[ENDPOINT_VARIABLE]
    try {
      const event = fixture('message-route')
      event.requestContext.domainName = 'ws.example.com'
      event.requestContext.apiId = 'k3x9q2w1ab'
      event.requestContext.stage = 'prod'
      const client = clientFor(connectionsEndpoint(event.requestContext))
      const endpoint = await client.config.endpoint!()
      assert.equal(endpoint.hostname, 'k3x9q2w1ab.execute-api.us-east-1.amazonaws.com')
      assert.equal(endpoint.path, '/prod')
      assert.equal(endpoint.protocol, 'https:')
    } finally {
      if (saved !== undefined) process.env[ENDPOINT_VARIABLE] = saved
    }
  })
})

// ---------------------------------------------------------------------------
// socket methods through the real SDK client, against a local @connections server

interface Seen {
  method: string
  rawUrl: string
  path: string
  body: Buffer
  headers: http.IncomingHttpHeaders
}
interface Reply {
  status: number
  headers?: Record<string, string>
  body?: string
  delayMs?: number
}

const STAGE = 'dev'
let server: http.Server
let domain = ''
let requests: Seen[] = []
let inFlight = 0
let maxInFlight = 0
let respond: (req: Seen) => Reply = () => ({ status: 200 })

const gone = (): Reply => ({
  status: 410,
  headers: { 'x-amzn-ErrorType': 'GoneException', 'content-type': 'application/json' },
  body: '{"message":null}',
})

/** The @connections id of a request (decoded), or undefined for another path. */
function idOf(req: Seen): string | undefined {
  const prefix = `/${STAGE}/@connections/`
  return req.path.startsWith(prefix) ? req.path.slice(prefix.length) : undefined
}

/** A MESSAGE event of the stage the local server serves (reached through ENDPOINT_VARIABLE). */
function localEvent(): WebSocketEvent {
  const event = fixture('message-route')
  event.requestContext.domainName = 'ws.example.com' // a custom domain: sends still go to the API's own endpoint
  event.requestContext.stage = STAGE
  return event
}

describe('socket methods against a local @connections server', () => {
  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const seen: Seen = {
          method: req.method ?? '',
          rawUrl: req.url ?? '',
          path: decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname),
          body: Buffer.concat(chunks),
          headers: req.headers,
        }
        requests.push(seen)
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        const reply = respond(seen)
        setTimeout(() => {
          inFlight--
          res.writeHead(reply.status, reply.headers ?? {})
          res.end(reply.body ?? '')
        }, reply.delayMs ?? 0)
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    domain = `127.0.0.1:${(server.address() as AddressInfo).port}`
    process.env[ENDPOINT_VARIABLE] = `http://${domain}/${STAGE}`
  })

  after(async () => {
    clientFor(`http://${domain}/${STAGE}`).destroy()
    delete process.env[ENDPOINT_VARIABLE]
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  beforeEach(() => {
    requests = []
    inFlight = 0
    maxInFlight = 0
    respond = () => ({ status: 200 })
  })

  test('send(obj) POSTs the JSON bytes to /{stage}/@connections/{encoded id}, signed', async () => {
    const socket = socketFor(localEvent())
    const payload = { type: 'hello', text: 'héllo ✓', n: [1, 2] }
    await socket.send(payload)
    assert.equal(requests.length, 1)
    const req = requests[0]!
    assert.equal(req.method, 'POST')
    assert.equal(req.path, `/dev/@connections/${CONN_ID}`)
    assert.ok(req.rawUrl.endsWith('/@connections/XfGLwdiKNjMCJ-A%3D'), req.rawUrl)
    assert.deepEqual(req.body, Buffer.from(JSON.stringify(payload), 'utf8'))
    assert.match(
      String(req.headers.authorization),
      /^AWS4-HMAC-SHA256 Credential=AKIDTESTTESTTESTTEST\/\d{8}\/us-east-1\/execute-api\/aws4_request/,
    )
  })

  test("send('text', otherId) posts the raw text to the other id", async () => {
    const socket = socketFor(localEvent())
    const other = 'Zz9/+other=='
    await socket.send('just text, not "JSON"', other)
    assert.equal(requests.length, 1)
    assert.equal(requests[0]!.method, 'POST')
    assert.equal(requests[0]!.path, `/dev/@connections/${other}`)
    assert.equal(requests[0]!.body.toString('utf8'), 'just text, not "JSON"')
  })

  test('send(bytes) posts the bytes unchanged', async () => {
    const socket = socketFor(localEvent())
    const bytes = new Uint8Array([0, 1, 2, 250, 255])
    await socket.send(bytes)
    assert.deepEqual([...requests[0]!.body], [0, 1, 2, 250, 255])
  })

  test('info() GETs the connection and returns Dates and identity', async () => {
    respond = (req) =>
      req.method === 'GET'
        ? {
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              connectedAt: '2026-11-25T21:49:57.185Z',
              identity: { sourceIp: '203.0.113.10', userAgent: 'wscat/6' },
              lastActiveAt: '2026-11-25T21:50:04.512Z',
            }),
          }
        : { status: 500 }
    const info = await socketFor(localEvent()).info()
    assert.equal(requests.length, 1)
    assert.equal(requests[0]!.method, 'GET')
    assert.equal(requests[0]!.path, `/dev/@connections/${CONN_ID}`)
    assert.ok(info.connectedAt instanceof Date)
    assert.ok(info.lastActiveAt instanceof Date)
    assert.equal(info.connectedAt.getTime(), Date.UTC(2026, 10, 25, 21, 49, 57, 185))
    assert.equal(info.lastActiveAt.getTime(), Date.UTC(2026, 10, 25, 21, 50, 4, 512))
    assert.deepEqual(info.identity, { sourceIp: '203.0.113.10', userAgent: 'wscat/6' })
  })

  test('info(otherId) asks about the other id', async () => {
    respond = () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"connectedAt":"2026-11-25T21:49:57Z","lastActiveAt":"2026-11-25T21:49:58Z","identity":{"sourceIp":"198.51.100.7"}}',
    })
    const info = await socketFor(localEvent()).info('other-id=')
    assert.equal(requests[0]!.path, '/dev/@connections/other-id=')
    assert.equal(info.connectedAt?.toISOString(), '2026-11-25T21:49:57.000Z')
    assert.deepEqual(info.identity, { sourceIp: '198.51.100.7', userAgent: undefined })
  })

  test('close() sends DELETE for this connection', async () => {
    respond = () => ({ status: 204 })
    await socketFor(localEvent()).close()
    assert.equal(requests.length, 1)
    assert.equal(requests[0]!.method, 'DELETE')
    assert.equal(requests[0]!.path, `/dev/@connections/${CONN_ID}`)
    assert.equal(requests[0]!.body.length, 0)
  })

  test('a 410 GoneException rejects send, info and close with GoneConnectionError', async () => {
    respond = gone
    const socket = socketFor(localEvent())
    for (const run of [() => socket.send({ a: 1 }), () => socket.info('dead=='), () => socket.close()]) {
      await assert.rejects(run(), (err: unknown) => {
        assert.ok(err instanceof GoneConnectionError, String(err))
        assert.equal(err.name, 'GoneConnectionError')
        assert.equal((err.cause as { name?: string }).name, 'GoneException')
        return true
      })
    }
    await assert.rejects(
      socket.send('x'),
      (err: unknown) => err instanceof GoneConnectionError && err.connectionId === CONN_ID,
    )
    await assert.rejects(
      socket.info('dead=='),
      (err: unknown) => err instanceof GoneConnectionError && err.connectionId === 'dead==',
    )
    // 410 is not retried
    assert.equal(requests.length, 5)
  })

  test('a bare 410 without x-amzn-ErrorType is still GoneConnectionError', async () => {
    respond = () => ({ status: 410 })
    await assert.rejects(socketFor(localEvent()).send('x', 'bare='), (err: unknown) => {
      assert.ok(err instanceof GoneConnectionError, String(err))
      assert.equal(err.connectionId, 'bare=')
      return true
    })
  })

  test('other errors are not GoneConnectionError (403 ForbiddenException)', async () => {
    respond = () => ({
      status: 403,
      headers: { 'x-amzn-ErrorType': 'ForbiddenException', 'content-type': 'application/json' },
      body: '{"message":"Forbidden"}',
    })
    await assert.rejects(socketFor(localEvent()).send('x'), (err: unknown) => {
      assert.ok(!(err instanceof GoneConnectionError))
      assert.equal((err as { name?: string }).name, 'ForbiddenException')
      return true
    })
    assert.equal(requests.length, 1)
  })

  test('broadcast resolves to exactly the gone ids', async () => {
    const goneIds = new Set(['b=', 'd/+', 'f'])
    respond = (req) => (goneIds.has(idOf(req)!) ? gone() : { status: 200, delayMs: 5 })
    const ids = ['a', 'b=', 'c', 'd/+', 'e', 'f', 'g', 'a'] // 'a' twice: sent once
    const result = await socketFor(localEvent()).broadcast({ msg: 'hi' }, ids, { concurrency: 3 })
    assert.deepEqual([...result].sort(), ['b=', 'd/+', 'f'])
    assert.deepEqual(requests.map(idOf).sort(), ['a', 'b=', 'c', 'd/+', 'e', 'f', 'g'])
    for (const req of requests) {
      assert.equal(req.method, 'POST')
      assert.equal(req.body.toString(), '{"msg":"hi"}')
    }
  })

  test('broadcast never has more than `concurrency` requests in flight', async () => {
    respond = () => ({ status: 200, delayMs: 15 })
    const ids = Array.from({ length: 12 }, (_, i) => `conn-${i}`)
    assert.deepEqual(await broadcast(clientFor(`http://${domain}/${STAGE}`), 'x', ids, 3), [])
    assert.equal(requests.length, 12)
    assert.equal(maxInFlight, 3)
  })

  test('broadcast with concurrency 1 is sequential', async () => {
    respond = () => ({ status: 200, delayMs: 5 })
    await socketFor(localEvent()).broadcast('x', ['1', '2', '3', '4'], { concurrency: 1 })
    assert.equal(maxInFlight, 1)
    assert.deepEqual(requests.map(idOf), ['1', '2', '3', '4'])
  })

  test('broadcast defaults to at most 32 in flight', async () => {
    respond = () => ({ status: 200, delayMs: 30 })
    const ids = Array.from({ length: 40 }, (_, i) => `c${i}`)
    await socketFor(localEvent()).broadcast('x', ids)
    assert.equal(requests.length, 40)
    assert.ok(maxInFlight <= 32, `max in flight ${maxInFlight}`)
    assert.ok(maxInFlight > 3, `max in flight ${maxInFlight}: sends are not concurrent`)
  })

  test('a socket call the handler did not await is reported with its call site, and so is its failure', async (t) => {
    const warn = t.mock.method(console, 'warn', () => {})
    const error = t.mock.method(console, 'error', () => {})
    respond = () => ({ ...gone(), delayMs: 50 })
    on('message', (_data, socket) => {
      void socket.send('never awaited', 'stale=')
    })
    assert.deepEqual(await handle(localEvent()), { statusCode: 200 })
    assert.equal(warn.mock.callCount(), 1)
    const warning = String(warn.mock.calls[0]!.arguments[0])
    assert.match(
      warning,
      /socket\.send\(\) in the "message" handler was not awaited \(.*runtime\.test\.ts:\d+:\d+\): on Lambda this send may never happen/,
    )
    for (let i = 0; i < 100 && error.mock.callCount() === 0; i++) await new Promise((r) => setTimeout(r, 10))
    assert.match(
      String(error.mock.calls[0]?.arguments[0]),
      /socket\.send\(\) that was not awaited failed: GoneConnectionError: connection stale= is gone/,
    )
  })

  test('awaited socket calls print no warning', async (t) => {
    const warn = t.mock.method(console, 'warn', () => {})
    on('message', async (_data, socket) => {
      await socket.send('awaited')
      await Promise.all([socket.send('a'), socket.broadcast('b', ['x=', 'y='])])
    })
    await handle(localEvent())
    assert.equal(warn.mock.callCount(), 0)
  })

  test('broadcast with nothing to send makes no request', async () => {
    assert.deepEqual(await socketFor(localEvent()).broadcast('x', []), [])
    assert.equal(requests.length, 0)
  })

  test('a 500 on one id rejects broadcast with an AggregateError after all sends were attempted', async () => {
    respond = (req) => {
      const id = idOf(req)
      if (id === 'broken')
        return {
          status: 500,
          headers: { 'content-type': 'application/json' },
          body: '{"message":"Internal server error"}',
        }
      if (id === 'dead') return gone()
      return { status: 200 }
    }
    const ids = ['broken', 'ok1', 'dead', 'ok2', 'ok3']
    await assert.rejects(socketFor(localEvent()).broadcast('x', ids, { concurrency: 2 }), (err: unknown) => {
      assert.ok(err instanceof AggregateError, String(err))
      assert.equal(err.errors.length, 1)
      assert.equal((err.errors[0] as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 500)
      assert.ok(!(err.errors[0] instanceof GoneConnectionError))
      assert.match(err.message, /1 of 5 sends failed \(1 gone\)/)
      return true
    })
    const count = (id: string) => requests.filter((r) => idOf(r) === id).length
    for (const id of ['ok1', 'dead', 'ok2', 'ok3']) assert.equal(count(id), 1, id)
    // The SDK's default retry strategy makes 3 attempts in all for a 5xx.
    assert.equal(count('broken'), 3)
  })

  // Smoke tests of a new version (src/aws/smoke.ts) mark their events; nothing may reach a client then.
  describe('a smoke-test invocation (event marked socketActionSmokeTest: true)', () => {
    const smoke = (event: WebSocketEvent) => ({ ...event, [SMOKE_MARKER]: true })

    test('send, send to another id and broadcast are recorded and returned, none reaches @connections', async () => {
      on('default', async (data, socket) => {
        await socket.send({ echo: data })
        await socket.send('to another', 'other-id')
        const gone = await socket.broadcast('all', ['a', socket.id, 'a'])
        return { statusCode: 202, body: JSON.stringify(gone) }
      })
      const result = await handle(smoke(localEvent()))
      assert.equal(requests.length, 0)
      assert.deepEqual(result, {
        statusCode: 202,
        body: '[]',
        smoke: {
          sent: [
            { connectionId: CONN_ID, data: '{"echo":{"route":"message","data":{"foo":"bar"}}}' },
            { connectionId: 'other-id', data: 'to another' },
            { connectionId: 'a', data: 'all' },
            { connectionId: CONN_ID, data: 'all' },
          ],
        },
      })
    })

    test('close and info answer without a request; a route without a handler still returns the record', async () => {
      on('connect', async (_data, socket) => {
        const info = await socket.info()
        await socket.close()
        return info.identity?.sourceIp ? 200 : 500
      })
      const connect = fixture('connect')
      connect.requestContext.stage = STAGE
      assert.deepEqual(await handle(smoke(connect)), { statusCode: 200, smoke: { sent: [] } })
      assert.deepEqual(await handle(smoke(fixture('disconnect'))), { statusCode: 200, smoke: { sent: [] } })
      assert.equal(requests.length, 0)
    })

    test('a thrown error is still rethrown (Lambda reports it as FunctionError)', async (t) => {
      t.mock.method(console, 'error', () => {})
      on('default', async () => {
        throw new Error('boom')
      })
      await assert.rejects(handle(smoke(localEvent())), /boom/)
    })

    test('only `true` marks: an unmarked event, or a marker of another value, sends for real', async () => {
      on('default', async (_data, socket) => {
        await socket.send('real')
      })
      const marked: Record<string, unknown> = { ...localEvent(), [SMOKE_MARKER]: 'true' }
      assert.deepEqual(await handle(localEvent()), { statusCode: 200 })
      assert.deepEqual(await handle(marked as unknown as WebSocketEvent), { statusCode: 200 })
      assert.equal(requests.length, 2)
    })
  })
})
