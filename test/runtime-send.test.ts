// socket.send's fast path (runtime/connections.ts): signed by the SDK client's own signer, POSTed on a keep-alive
// agent, and every answer but a 2xx handed to the SDK client so that its error types and retries still apply.

// Dummy credentials so the SDK can sign requests to the local @connections server; set before any client exists.
process.env.AWS_ACCESS_KEY_ID = 'AKIDSENDSENDSENDSEND'
process.env.AWS_SECRET_ACCESS_KEY = 'send-test-secret-access-key'
process.env.AWS_REGION = 'eu-west-1'
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
delete process.env.AWS_SESSION_TOKEN
delete process.env.AWS_MAX_ATTEMPTS
delete process.env.AWS_RETRY_MODE

import { after, before, beforeEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, createHmac } from 'node:crypto'
import type http from 'node:http'
import { broadcast, clientFor, GoneConnectionError, KeyedSha256, postToConnection } from '../runtime/connections.ts'
import { listenAsConnectionsApi, type Reply, type Seen } from './helpers/connections-server.ts'
import { sha256hex, signatures } from './helpers/sigv4.ts'

const STAGE = 'prod'

let server: http.Server
let domain = ''
let requests: Seen[] = []
let respond: (req: Seen, index: number) => Reply = () => ({ status: 200 })

const gone = (): Reply => ({
  status: 410,
  headers: { 'x-amzn-ErrorType': 'GoneException', 'x-amzn-RequestId': 'req-410', 'content-type': 'application/json' },
  body: '{"message":null}',
})

function idOf(req: Seen): string {
  return decodeURIComponent(req.rawUrl.slice(`/${STAGE}/@connections/`.length))
}

// ---- the server ------------------------------------------------------------------------------------------------

before(async () => {
  ;({ server, domain } = await listenAsConnectionsApi((seen) => {
    requests.push(seen)
    return respond(seen, requests.length - 1)
  }))
})

after(async () => {
  clientFor(`http://${domain}/${STAGE}`).destroy()
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

beforeEach(() => {
  requests = []
  respond = () => ({ status: 200 })
})

/** Counts client.send calls (the SDK path) while `run` runs. */
async function sdkCalls(run: () => Promise<unknown>): Promise<number> {
  const client = clientFor(`http://${domain}/${STAGE}`)
  const send = client.send
  let calls = 0
  client.send = ((...args: Parameters<typeof send>) => {
    calls++
    return send.apply(client, args)
  }) as typeof send
  try {
    await run()
  } finally {
    client.send = send
  }
  return calls
}

// ---- tests -------------------------------------------------------------------------------------------------------

describe('socket.send fast path', () => {
  test('a send POSTs the bytes to /{stage}/@connections/{id} with a valid SigV4 signature, without client.send', async () => {
    const id = "Zk9/+a=b(c)!'*"
    const body = Buffer.from('{"hello":"wörld"}')
    const calls = await sdkCalls(() => postToConnection(clientFor(`http://${domain}/${STAGE}`), id, body))
    assert.equal(calls, 0, 'a 2xx send must not go through the SDK client')
    assert.equal(requests.length, 1)
    const req = requests[0]!
    assert.equal(req.method, 'POST')
    assert.equal(req.rawUrl, `/${STAGE}/@connections/Zk9%2F%2Ba%3Db%28c%29%21%27%2A`)
    assert.equal(idOf(req), id)
    assert.deepEqual(req.body, body)
    assert.equal(req.headers['content-length'], String(body.length))
    assert.equal(req.headers.host, domain)
    assert.match(
      String(req.headers.authorization),
      /^AWS4-HMAC-SHA256 Credential=AKIDSENDSENDSENDSEND\/\d{8}\/eu-west-1\/execute-api\/aws4_request, /,
    )
    assert.equal(req.headers['x-amz-content-sha256'], sha256hex(body))
    const [expected, received] = signatures(req, process.env.AWS_SECRET_ACCESS_KEY!)
    assert.equal(received, expected)
  })

  test('the signature is the one the SDK client makes for the same request', async () => {
    // Same id and body through the fast path and through client.send (a 500 makes postToConnection hand over to the
    // SDK, whose retry is answered 200): both requests must verify.
    respond = (_req, i) => (i === 0 ? { status: 500 } : { status: 200 })
    await postToConnection(clientFor(`http://${domain}/${STAGE}`), 'same-id', Buffer.from('x'))
    assert.equal(requests.length, 2)
    for (const req of requests) {
      const [expected, received] = signatures(req, process.env.AWS_SECRET_ACCESS_KEY!)
      assert.equal(received, expected, req.headers['user-agent'] ?? 'fast path')
    }
    assert.match(String(requests[1]!.headers['user-agent']), /aws-sdk-js/)
  })

  test('a 410 rejects with GoneConnectionError (cause: the SDK GoneException) after exactly one request', async () => {
    respond = gone
    await assert.rejects(
      postToConnection(clientFor(`http://${domain}/${STAGE}`), 'dead=', Buffer.from('x')),
      (err: unknown) => {
        assert.ok(err instanceof GoneConnectionError, String(err))
        assert.equal(err.connectionId, 'dead=')
        const cause = err.cause as {
          name?: string
          $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number }
        }
        assert.equal(cause.name, 'GoneException')
        assert.equal(cause.$metadata?.httpStatusCode, 410)
        assert.equal(cause.$metadata?.requestId, 'req-410')
        assert.equal(cause.$metadata?.attempts, 1)
        return true
      },
    )
    assert.equal(requests.length, 1, 'the 410 was handed to the SDK, not asked again')
  })

  for (const status of [500, 503]) {
    test(`a ${status} then a 200 is retried by the SDK: two requests in all, the second its attempt 2`, async () => {
      respond = (_req, i) =>
        i === 0
          ? { status, headers: { 'content-type': 'application/json' }, body: '{"message":"Internal server error"}' }
          : { status: 200 }
      await postToConnection(clientFor(`http://${domain}/${STAGE}`), 'retry-me', Buffer.from('x'))
      assert.equal(requests.length, 2)
      assert.equal(requests[1]!.headers['amz-sdk-request'], 'attempt=2; max=3')
      assert.deepEqual(requests[1]!.body, requests[0]!.body)
    })
  }

  test('a 5xx that persists fails after the SDK maximum of 3 attempts, with the SDK error', async () => {
    respond = () => ({
      status: 503,
      headers: { 'content-type': 'application/json' },
      body: '{"message":"Service Unavailable"}',
    })
    await assert.rejects(
      postToConnection(clientFor(`http://${domain}/${STAGE}`), 'down', Buffer.from('x')),
      (err: unknown) => {
        assert.ok(!(err instanceof GoneConnectionError))
        const e = err as { $metadata?: { httpStatusCode?: number; attempts?: number }; $fault?: string }
        assert.equal(e.$metadata?.httpStatusCode, 503)
        assert.equal(e.$metadata?.attempts, 3)
        assert.equal(e.$fault, 'server')
        return true
      },
    )
    assert.equal(requests.length, 3)
  })

  test('a 429 LimitExceededException is retried by the SDK', async () => {
    respond = (_req, i) =>
      i === 0
        ? {
            status: 429,
            headers: { 'x-amzn-ErrorType': 'LimitExceededException', 'content-type': 'application/json' },
            body: '{"message":"Too many"}',
          }
        : { status: 200 }
    await postToConnection(clientFor(`http://${domain}/${STAGE}`), 'busy', Buffer.from('x'))
    assert.equal(requests.length, 2)
  })

  test('a connection reset before the answer is retried by the SDK', async () => {
    respond = (_req, i) => (i === 0 ? 'reset' : { status: 200 })
    await postToConnection(clientFor(`http://${domain}/${STAGE}`), 'reset-me', Buffer.from('x'))
    assert.equal(requests.length, 2)
    assert.equal(requests[1]!.headers['amz-sdk-request'], 'attempt=2; max=3')
  })

  test('sequential sends reuse one kept-alive TCP socket', async () => {
    const client = clientFor(`http://${domain}/${STAGE}`)
    for (let i = 0; i < 40; i++) await postToConnection(client, `c${i}`, Buffer.from(String(i)))
    assert.equal(requests.length, 40)
    assert.equal(new Set(requests.map((r) => r.socket)).size, 1)
    assert.equal(requests[0]!.headers.connection, 'keep-alive')
  })

  test('a broadcast with gone ids among 200 sends each id once and resolves to exactly the gone ones', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => (i % 7 === 3 ? `gone-${i}` : `live-${i}`))
    respond = (req) => (idOf(req).startsWith('gone-') ? gone() : { status: 200 })
    const result = await broadcast(clientFor(`http://${domain}/${STAGE}`), { n: 1 }, ids, 32)
    assert.deepEqual([...result].sort(), ids.filter((id) => id.startsWith('gone-')).sort())
    assert.deepEqual(requests.map(idOf).sort(), [...ids].sort())
    // Concurrent sends share sockets: at most 32 in flight, so at most 32 sockets.
    assert.ok(new Set(requests.map((r) => r.socket)).size <= 32)
  })
})

describe('KeyedSha256 (the client signer hash)', () => {
  const data = 'AWS4-HMAC-SHA256\n20261126T101010Z\nscope\nabc'
  test('hashes like sha256', async () => {
    const h = new KeyedSha256()
    h.update(data)
    h.update(new Uint8Array([1, 2, 3]))
    assert.equal(
      Buffer.from(await h.digest()).toString('hex'),
      createHash('sha256')
        .update(data)
        .update(Buffer.from([1, 2, 3]))
        .digest('hex'),
    )
  })
  test('HMACs like createHmac, with string, Uint8Array and ArrayBuffer keys, reused keys included', async () => {
    const bytes = new Uint8Array([9, 8, 7, 6, 5])
    for (const key of ['secret', 'secret', bytes, bytes, bytes.buffer, 'other']) {
      const h = new KeyedSha256(key)
      h.update(data)
      const expected = createHmac('sha256', typeof key === 'string' ? key : Buffer.from(key as ArrayBuffer))
        .update(data)
        .digest('hex')
      assert.equal(Buffer.from(await h.digest()).toString('hex'), expected)
    }
  })
  test('reset starts over', async () => {
    const h = new KeyedSha256('k')
    h.update('garbage')
    h.reset()
    h.update(data)
    assert.equal(Buffer.from(await h.digest()).toString('hex'), createHmac('sha256', 'k').update(data).digest('hex'))
  })
})
