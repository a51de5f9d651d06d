// The local gateway against real `ws` clients, behaviour by behaviour of API Gateway's WebSocket APIs (the README's
// `socket-action dev` list).
import assert from 'node:assert/strict'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { createConnection } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { startDev, type DevServer } from '../src/dev/serve.ts'
import { ask, connect } from './helpers/clients.ts'

const FIXTURE = path.join(import.meta.dirname, 'fixtures/gateway')

interface HttpAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function http(method: string, url: string, body?: string | Buffer): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      )
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function start(
  limits: Parameters<typeof startDev>[0]['limits'] = {},
  extra: Partial<Parameters<typeof startDev>[0]> = {},
): Promise<{ server: DevServer; lines: string[] }> {
  const lines: string[] = []
  process.env.SOCKET_ACTION_TEST_PARENT_ONLY = 'must-not-leak'
  const server = await startDev({
    configFile: path.join(FIXTURE, 'serverless.yml'),
    port: 0,
    limits,
    log: (l) => lines.push(l),
    ...extra,
  })
  return { server, lines }
}

async function lastDisconnect(url: string, id: string): Promise<any> {
  const probe = await connect(url)
  for (let i = 0; i < 50; i++) {
    const found = await ask(probe, 'disconnectOf', { id })
    if (found) {
      probe.ws.close()
      return found
    }
    await sleep(20)
  }
  throw new Error(`no $disconnect for ${id}`)
}

describe('local gateway', () => {
  let server: DevServer
  let lines: string[]
  // 2 s: short enough to test timeouts, long enough that a fresh environment answers in time on a loaded 2-core CI
  // machine (300 ms was not, with the whole suite running beside it on Node 22).
  // One environment (reserved concurrency 1): the fixture keeps what it saw in module scope, which is per environment.
  before(
    async () =>
      ({ server, lines } = await start(
        { integrationTimeoutMs: 2000, frameBytes: 1024, payloadBytes: 8192 },
        { maxEnvironments: 1 },
      )),
  )
  after(() => server.close())

  test('$connect event has the AWS shape: headers, query, requestContext, no body or messageId', async () => {
    const client = await connect(`${server.url}?token=abc&tag=a&tag=b`, undefined, {
      headers: { Authorization: 'Bearer x' },
    })
    const { data, event } = await ask(client, 'lastConnect')
    const ctx = event.requestContext
    assert.equal(ctx.routeKey, '$connect')
    assert.equal(ctx.eventType, 'CONNECT')
    assert.equal(ctx.stage, 'test')
    assert.equal(ctx.domainName, new URL(server.url).host)
    assert.equal(ctx.messageDirection, 'IN')
    assert.match(ctx.connectionId, /^[A-Za-z0-9_-]{15}=$/)
    assert.match(ctx.requestTime, /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/)
    assert.equal(typeof ctx.requestTimeEpoch, 'number')
    assert.equal(typeof ctx.connectedAt, 'number')
    assert.equal(ctx.identity.sourceIp, '127.0.0.1')
    assert.ok(ctx.apiId && ctx.requestId && ctx.extendedRequestId)
    assert.equal('messageId' in ctx, false)
    assert.equal('body' in event, false)
    assert.equal(event.isBase64Encoded, false)
    for (const name of [
      'Host',
      'Sec-WebSocket-Key',
      'Sec-WebSocket-Version',
      'X-Forwarded-For',
      'X-Forwarded-Port',
      'X-Forwarded-Proto',
      'X-Amzn-Trace-Id',
      'Authorization',
    ]) {
      assert.ok(event.headers[name], `header ${name}`)
      assert.deepEqual(event.multiValueHeaders[name], [event.headers[name]])
    }
    assert.deepEqual(event.queryStringParameters, { token: 'abc', tag: 'b' })
    assert.deepEqual(event.multiValueQueryStringParameters, { token: ['abc'], tag: ['a', 'b'] })
    assert.deepEqual(data.query, { token: 'abc', tag: 'b' })
    assert.equal(data.headers.Authorization, 'Bearer x')
    client.ws.close()
  })

  test('$connect without a query has no query fields', async () => {
    const client = await connect(server.url)
    const { event } = await ask(client, 'lastConnect')
    assert.equal('queryStringParameters' in event, false)
    assert.equal('multiValueQueryStringParameters' in event, false)
    client.ws.close()
  })

  test('a non-2xx $connect fails the handshake with that status', async () => {
    await assert.rejects(connect(`${server.url}?reject=401`), /Unexpected server response: 401/)
    await assert.rejects(connect(`${server.url}?reject=403`), /Unexpected server response: 403/)
  })

  test('a $connect that throws gives 502', async () => {
    await assert.rejects(connect(`${server.url}?throw=1`), /Unexpected server response: 502/)
  })

  test('the subprotocol returned by $connect is echoed', async () => {
    const client = await connect(`${server.url}?protocol=token.abc`, ['chat', 'token.abc'])
    assert.equal(client.ws.protocol, 'token.abc')
    client.ws.close()
  })

  test('@connections answers 410 while $connect has not returned', async () => {
    const client = await connect(`${server.url}?selfsend=1`)
    assert.deepEqual(await ask(client, 'selfSend'), ['GoneConnectionError:true'])
    client.ws.close()
  })

  test('clients connect at / and at /{stage}; another stage is refused', async () => {
    const root = await connect(server.url.replace(/\/test$/, '/'))
    assert.equal((await ask(root, 'nothing-here')).routeKey, '$default')
    root.ws.close()
    await assert.rejects(connect(server.url.replace(/\/test$/, '/prod')), /Unexpected server response: 403/)
  })

  test('malformed requests answer 400 and never take dev down', async () => {
    const { hostname, port } = new URL(server.url)
    /** What the gateway answers to raw request bytes (the status line). */
    const raw = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = createConnection({ host: hostname, port: Number(port) }, () => socket.write(text))
        let got = ''
        socket.on('data', (d) => (got += d))
        socket.on('end', () => resolve(got.split('\r\n')[0]!))
        socket.on('error', reject)
        setTimeout(() => {
          socket.destroy()
          resolve(got.split('\r\n')[0]!)
        }, 2000)
      })
    assert.equal(await raw('GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), 'HTTP/1.1 400 Bad Request')
    assert.equal(
      await raw(
        'GET http://[ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      ),
      'HTTP/1.1 400 Bad Request',
    )
    const badId = await http('POST', `${server.url.replace('ws://', 'http://')}/@connections/%E0%A4%A`, 'x')
    assert.equal(badId.status, 400)
    assert.equal(badId.headers['x-amzn-errortype'], 'BadRequestException')
    // Still serving.
    const client = await connect(server.url)
    assert.equal((await ask(client, 'event')).requestContext.eventType, 'MESSAGE')
    client.ws.close()
  })

  test('a connection whose close frame arrived is Gone at once: POST, GET and DELETE answer 410', async () => {
    // A raw client that sends a close frame and then keeps its TCP side open: the gateway's socket stays CLOSING
    // (waiting for the TCP close) instead of passing through it in microseconds, as it does with a real client.
    const { hostname, port } = new URL(server.url)
    const socket = createConnection({ host: hostname, port: Number(port) })
    let buffered = Buffer.alloc(0)
    const incoming: Array<() => void> = []
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk])
      for (const wake of incoming.splice(0)) wake()
    })
    const waitFor = async (ready: () => boolean) => {
      while (!ready()) await new Promise<void>((resolve) => incoming.push(resolve))
    }
    const masked = (opcode: number, payload: Buffer) => {
      const mask = Buffer.from([1, 2, 3, 4])
      const body = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!))
      return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, body])
    }
    socket.write(
      `GET /${server.socket.stage} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    )
    await waitFor(() => buffered.includes('\r\n\r\n'))
    assert.match(buffered.toString(), /^HTTP\/1\.1 101 /)
    buffered = buffered.subarray(buffered.indexOf('\r\n\r\n') + 4)
    socket.write(masked(1, Buffer.from(JSON.stringify({ route: 'event' }))))
    // The server's text frame: 0x81, then a 16-bit length (the event is over 125 bytes).
    await waitFor(() => buffered.length >= 4 && buffered.length >= 4 + buffered.readUInt16BE(2))
    const id = JSON.parse(buffered.subarray(4, 4 + buffered.readUInt16BE(2)).toString()).requestContext.connectionId
    const connections = `${server.url.replace('ws://', 'http://')}/@connections/${id}`
    assert.equal((await http('GET', connections)).status, 200, 'open before the close frame')
    socket.write(masked(8, Buffer.from([0x03, 0xe8]))) // close, 1000
    await waitFor(() => buffered.subarray(4 + buffered.readUInt16BE(2)).includes(0x88)) // the gateway's close frame back
    for (const method of ['POST', 'GET', 'DELETE']) {
      const answer = await http(method, connections, method === 'POST' ? 'too late' : undefined)
      assert.equal(answer.status, 410, method)
      assert.equal(answer.headers['x-amzn-errortype'], 'GoneException', method)
    }
    socket.destroy()
  })

  test(`connection ids look like API Gateway's: URL-safe base64 ending in "=", usable raw in @connections paths`, async () => {
    for (let i = 0; i < 12; i++) {
      const client = await connect(server.url)
      const id = (await ask(client, 'event')).requestContext.connectionId as string
      assert.match(id, /^[A-Za-z0-9_-]{15}=$/)
      const info = await http('GET', `${server.url.replace('ws://', 'http://')}/@connections/${id}`)
      assert.equal(info.status, 200, id)
      client.ws.close()
    }
  })

  test("a plain HTTP GET answers 426, except the playground on the gateway's own Host", async () => {
    const url = new URL(server.url.replace('ws://', 'http://'))
    const answer = await new Promise<number>((resolve, reject) =>
      request(url, { headers: { Host: `api.example:${url.port}` } }, (res) => {
        res.resume()
        resolve(res.statusCode!)
      })
        .on('error', reject)
        .end(),
    )
    assert.equal(answer, 426)
    assert.equal((await http('GET', `${url.origin}/test/more`)).status, 426)
    const page = await http('GET', url.href)
    assert.equal(page.status, 200)
    assert.match(page.body, /socket-action dev playground/)
  })

  test('message event has routeKey $default, messageId and body, and no headers', async () => {
    const client = await connect(server.url)
    const event = await ask(client, 'event', { x: 1 })
    assert.equal(event.requestContext.routeKey, '$default')
    assert.equal(event.requestContext.eventType, 'MESSAGE')
    assert.ok(event.requestContext.messageId)
    assert.equal(event.body, JSON.stringify({ route: 'event', data: { x: 1 } }))
    assert.equal('headers' in event, false)
    assert.equal(event.isBase64Encoded, false)
    client.ws.close()
  })

  test('frames without a matching route reach default: JSON parsed, text raw', async () => {
    const client = await connect(server.url)
    client.send('plain text')
    assert.deepEqual(await client.next(), { default: 'plain text', routeKey: '$default' })
    client.send({ route: 'no-such-route', data: 1 })
    assert.deepEqual(await client.next(), { default: { route: 'no-such-route', data: 1 }, routeKey: '$default' })
    client.send({ hello: 'world' })
    assert.deepEqual(await client.next(), { default: { hello: 'world' }, routeKey: '$default' })
    client.ws.close()
  })

  test('routes are one-way: what a handler returns is not sent to the client', async () => {
    const client = await connect(server.url)
    client.send({ route: 'reply' })
    client.send({ route: 'version' })
    assert.equal(await client.next(), 'v1', "the next frame is the following handler's send, not the returned body")
    await assert.rejects(client.next(200), /no frame/)
    client.ws.close()
  })

  test('a handler that throws sends the Internal server error frame and keeps the connection', async () => {
    const client = await connect(server.url)
    const frame = await ask(client, 'throw')
    assert.equal(frame.message, 'Internal server error')
    assert.equal(typeof frame.requestId, 'string')
    const event = await ask(client, 'event')
    assert.equal(frame.connectionId, event.requestContext.connectionId)
    client.ws.close()
  })

  test('a binary frame closes the connection with 1003, and $disconnect gets the code', async () => {
    const client = await connect(server.url)
    const id = (await ask(client, 'event')).requestContext.connectionId
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true })
    assert.equal((await client.closed).code, 1003)
    const disconnect = await lastDisconnect(server.url, id)
    assert.equal(disconnect.data.statusCode, 1003)
    assert.equal(disconnect.event.requestContext.eventType, 'DISCONNECT')
  })

  test('a frame over the frame limit closes with 1009', async () => {
    const client = await connect(server.url)
    client.send('x'.repeat(1025))
    assert.equal((await client.closed).code, 1009)
  })

  test('$disconnect event carries the client close code and reason, and only the documented headers', async () => {
    const client = await connect(server.url)
    const id = (await ask(client, 'event')).requestContext.connectionId
    client.ws.close(4000, 'bye now')
    const { data, event } = await lastDisconnect(server.url, id)
    assert.deepEqual(data, { statusCode: 4000, reason: 'bye now' })
    assert.equal(event.requestContext.routeKey, '$disconnect')
    assert.equal(event.requestContext.disconnectStatusCode, 4000)
    assert.equal(event.requestContext.disconnectReason, 'bye now')
    assert.deepEqual(Object.keys(event.headers).sort(), ['Host', 'X-Forwarded-For', 'x-api-key', 'x-restapi'])
    assert.equal('messageId' in event.requestContext, false)
    assert.equal('body' in event, false)
  })

  test('@connections: POST delivers, GET describes, DELETE closes and runs $disconnect', async () => {
    const client = await connect(server.url)
    const id = (await ask(client, 'event')).requestContext.connectionId
    const base = `${server.connectionsUrl}/${encodeURIComponent(id)}`

    const posted = await http('POST', base, 'pushed from outside')
    assert.equal(posted.status, 200)
    assert.equal(await client.next(), 'pushed from outside')

    const got = await http('GET', base)
    assert.equal(got.status, 200)
    const info = JSON.parse(got.body)
    assert.ok(!Number.isNaN(Date.parse(info.connectedAt)) && !Number.isNaN(Date.parse(info.lastActiveAt)))
    assert.equal(info.identity.sourceIp, '127.0.0.1')

    const deleted = await http('DELETE', base)
    assert.equal(deleted.status, 204)
    await client.closed
    const disconnect = await lastDisconnect(server.url, id)
    assert.equal(disconnect.id, id)

    for (const method of ['POST', 'GET', 'DELETE']) {
      const answer = await http(method, base, method === 'POST' ? 'late' : undefined)
      assert.equal(answer.status, 410, method)
      assert.equal(answer.headers['x-amzn-errortype'], 'GoneException')
    }
  })

  test('@connections POST over the payload limit answers 413', async () => {
    const client = await connect(server.url)
    const id = (await ask(client, 'event')).requestContext.connectionId
    const answer = await http('POST', `${server.connectionsUrl}/${encodeURIComponent(id)}`, 'x'.repeat(8193))
    assert.equal(answer.status, 413)
    assert.equal(answer.headers['x-amzn-errortype'], 'PayloadTooLargeException')
    client.ws.close()
  })

  test('socket.send/info/close/broadcast reach other connections through the SDK; gone ids are typed', async () => {
    const a = await connect(server.url)
    const b = await connect(server.url)
    const idB = (await ask(b, 'event')).requestContext.connectionId
    assert.deepEqual(await ask(a, 'sendTo', { id: idB, message: 'hi b' }), { sent: idB })
    assert.equal(await b.next(), 'hi b')

    const info = await ask(a, 'info', { id: idB })
    assert.equal(info.identity.sourceIp, '127.0.0.1')

    const broadcast = await ask(a, 'broadcast', { message: 'all', ids: [idB, 'Z29uZWdvbmVnb25lZ28='] })
    assert.deepEqual(broadcast, { gone: ['Z29uZWdvbmVnb25lZ28='] })
    assert.equal(await b.next(), 'all')

    a.send({ route: 'close', data: { id: idB } })
    assert.equal((await b.closed).code, 1000)
    assert.deepEqual(await ask(a, 'sendTo', { id: idB, message: 'late' }), {
      error: 'GoneConnectionError',
      connectionId: idB,
    })
    a.ws.close()
  })

  test('env from serverless.yml is set; the developer shell is not leaked', async () => {
    const client = await connect(server.url)
    assert.deepEqual(await ask(client, 'env'), {
      TABLE_NAME: 'connections-table',
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'gateway-fixture-test',
      PARENT_ONLY: null,
    })
    client.ws.close()
  })

  test('one log line per invocation: route, connection, status, milliseconds', async () => {
    const client = await connect(server.url)
    const id = (await ask(client, 'event')).requestContext.connectionId
    const line = lines.find((l) => l.startsWith('$connect') && l.includes(id))
    assert.match(line ?? '', /^\$connect\s+\S+=\s+200\s+[\d.]+ms$/)
    client.ws.close()
  })
})

// Handlers that hold their environment past API Gateway's answer, on a server of their own.
describe('timeouts', () => {
  let server: DevServer
  let lines: string[]
  before(async () => ({ server, lines } = await start({ integrationTimeoutMs: 2000 })))
  after(() => server.close())

  test('a $connect that times out gives 502', async () => {
    await assert.rejects(connect(`${server.url}?sleep=4000`), /Unexpected server response: 502/)
  })

  test('the integration timeout sends the Internal server error frame', async () => {
    const client = await connect(server.url)
    const frame = await ask(client, 'sleep', { ms: 4000 })
    assert.equal(frame.message, 'Internal server error')
    assert.ok(
      lines.some(
        (l) =>
          l.includes('timeout') &&
          l.includes("Endpoint request timed out: no answer within API Gateway's 2.00 seconds"),
      ),
      lines.join('\n'),
    )
    client.ws.close()
  })

  test('a handler stuck in a loop times out, and the environment is replaced', async () => {
    const client = await connect(server.url)
    assert.equal((await ask(client, 'spin')).message, 'Internal server error')
    // Another environment answers meanwhile; the stuck one is replaced at the function's own timeout (5 s).
    assert.equal(await ask(client, 'version', {}), 'v1')
    for (let i = 0; i < 200 && !lines.some((l) => l.includes('starting a fresh environment')); i++) await sleep(50)
    assert.ok(
      lines.some((l) => l.includes('function timed out: starting a fresh environment')),
      lines.join('\n'),
    )
    client.ws.close()
  })
})

test('closing dev while a $connect is still running ends that handshake and returns', async () => {
  const { server } = await start({ integrationTimeoutMs: 10_000 })
  const pending = connect(`${server.url}?sleep=3000`)
  const outcome = pending.then(
    () => 'opened',
    () => 'refused',
  )
  await sleep(300) // the $connect is running
  const closed = server.close().then(() => 'closed')
  const first = await Promise.race([closed, sleep(8000).then(() => 'close() hung')])
  assert.equal(first, 'closed')
  assert.equal(await outcome, 'refused', 'no WebSocket opens once close() has begun')
})

describe('local gateway limits', () => {
  test('idle connections are closed with 1001 Going away', async () => {
    const { server } = await start({ idleTimeoutMs: 200 })
    try {
      const client = await connect(server.url)
      const closed = await client.closed
      assert.deepEqual(closed, { code: 1001, reason: 'Going away' })
    } finally {
      await server.close()
    }
  })

  test('connections past the maximum duration are closed with 1001 even when active', async () => {
    const { server } = await start({ maxDurationMs: 400 })
    try {
      const client = await connect(server.url)
      const started = Date.now()
      const keepBusy = setInterval(() => client.send('still here'), 50)
      const closed = await client.closed
      clearInterval(keepBusy)
      assert.equal(closed.code, 1001)
      assert.ok(Date.now() - started >= 350)
    } finally {
      await server.close()
    }
  })

  test('new connections over the per-second limit get 429', async () => {
    const { server } = await start({ connectionsPerSecond: 3 })
    try {
      const clients = [await connect(server.url), await connect(server.url), await connect(server.url)]
      await assert.rejects(connect(server.url), /Unexpected server response: 429/)
      for (const c of clients) c.ws.close()
    } finally {
      await server.close()
    }
  })
})

describe('hot reload', () => {
  /** The fixture copied to a temporary folder, served by dev with watching on. */
  async function watchedCopy(): Promise<{ dir: string; server: DevServer; lines: string[] }> {
    const dir = await mkdtemp(path.join(tmpdir(), 'socket-action-reload-'))
    await cp(FIXTURE, dir, { recursive: true })
    const lines: string[] = []
    const server = await startDev({
      configFile: path.join(dir, 'serverless.yml'),
      port: 0,
      watch: true,
      log: (l) => lines.push(l),
    })
    return { dir, server, lines }
  }

  test('a change to socket.js is rebuilt and swapped in without dropping open connections', async () => {
    const { dir, server, lines } = await watchedCopy()
    try {
      const client = await connect(server.url)
      assert.equal(await ask(client, 'version'), 'v1')
      const file = path.join(dir, 'socket.js')
      const reloaded = server.nextReload()
      await writeFile(file, (await readFile(file, 'utf8')).replace("send('v1')", "send('v2')"))
      assert.deepEqual(await reloaded, { ok: true })
      assert.equal(await ask(client, 'version'), 'v2')

      const failed = server.nextReload()
      await writeFile(file, 'on("version", async (d, s) => { await s.send(')
      assert.equal((await failed).ok, false)
      assert.ok(lines.some((l) => l.includes('rebuild failed') && l.includes('socket.js:1:')))
      assert.equal(await ask(client, 'version'), 'v2', 'the previous build keeps serving')
      assert.equal(client.ws.readyState, client.ws.OPEN)
      client.ws.close()
    } finally {
      await server.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('an imported file is watched too, an import that is missing rebuilds once it appears, and serverless.yml changes swap the settings in', async () => {
    const { dir, server, lines } = await watchedCopy()
    try {
      const client = await connect(server.url)
      const file = path.join(dir, 'socket.js')
      const missing = server.nextReload()
      await writeFile(
        file,
        `${(await readFile(file, 'utf8')).replace("await socket.send('v1')", 'await socket.send(version)')}\nimport { version } from './version.js'\n`,
      )
      assert.equal((await missing).ok, false)
      assert.ok(lines.some((l) => l.includes('rebuild failed') && l.includes('cannot resolve "./version.js"')))

      const appeared = server.nextReload()
      await writeFile(path.join(dir, 'version.js'), "export const version = 'v3'\n")
      assert.deepEqual(await appeared, { ok: true })
      assert.equal(await ask(client, 'version'), 'v3')

      const helper = server.nextReload()
      await writeFile(path.join(dir, 'version.js'), "export const version = 'v4'\n")
      assert.deepEqual(await helper, { ok: true })
      assert.equal(await ask(client, 'version'), 'v4')

      const config = server.nextReload()
      const yml = path.join(dir, 'serverless.yml')
      await writeFile(yml, (await readFile(yml, 'utf8')).replace('connections-table', 'other-table'))
      assert.deepEqual(await config, { ok: true })
      assert.equal(server.socket.env.TABLE_NAME, 'other-table')
      const after = await connect(server.url)
      assert.equal((await ask(after, 'env')).TABLE_NAME, 'other-table')
      assert.equal(await ask(after, 'version'), 'v4')
      after.ws.close()
      client.ws.close()
    } finally {
      await server.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
