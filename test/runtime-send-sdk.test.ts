// socket.send's fast path (runtime/connections.ts) against the AWS SDK versions a Lambda Node.js runtime gives the
// function: the bundle as users get it (@aws-sdk/* left out), run in a child whose module path resolves the SDK to the
// runtime's version (test/helpers/lambda-sdk.ts), posting to a local server that answers as the @connections API does.
// The fast path is visible on the wire: its POST carries only the signed headers, while every request the SDK client
// makes carries amz-sdk-invocation-id, amz-sdk-request (attempt=n; max=3) and a user agent naming the SDK version.

import { after, before, beforeEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import type http from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi'
import { GoneConnectionError, postToConnection } from '../runtime/connections.ts'
import type { WebSocketEvent } from '../runtime/types.ts'
import { listenAsConnectionsApi, type Reply, type Seen } from './helpers/connections-server.ts'
import { type LambdaWithSdk, RUNTIME_SDKS, type SendError, startLambdaWithSdk } from './helpers/lambda-sdk.ts'
import { signatures } from './helpers/sigv4.ts'

const STAGE = 'prod'
const ACCESS_KEY = 'AKIDSDKSDKSDKSDKSDK0'
const SECRET = 'send-sdk-test-secret-access-key'
const here = path.dirname(fileURLToPath(import.meta.url))

type ErrorAnswer = { status: number; headers: Record<string, string>; body: string }

let server: http.Server
let endpoint = ''
let requests: Seen[] = []
let respond: (req: Seen, index: number) => Reply = () => ({ status: 200 })

/** An error answer of the @connections API: its status, x-amzn-ErrorType and JSON message. */
function apiError(status: number, type: string, message: string | null, requestId = `req-${status}`): ErrorAnswer {
  return {
    status,
    headers: { 'x-amzn-ErrorType': type, 'x-amzn-RequestId': requestId, 'content-type': 'application/json' },
    body: JSON.stringify({ message }),
  }
}
const gone = () => apiError(410, 'GoneException', null)
const forbidden = () => apiError(403, 'ForbiddenException', 'Forbidden')
const tooLarge = () => apiError(413, 'PayloadTooLargeException', 'Message too long')
const throttled = () => apiError(429, 'LimitExceededException', 'Rate exceeded')
const signatureRefused = () =>
  apiError(
    403,
    'InvalidSignatureException',
    'The request signature we calculated does not match the signature you provided.',
  )
/** When x-amz-date is "20261207T063000Z". */
const amzDate = (value: unknown) =>
  Date.parse(String(value).replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'))

/** API Gateway with its clock `ahead` ms ahead of ours: a signature more than 5 minutes off it is expired. */
function serverClockedAhead(ahead: number): (req: Seen) => Reply {
  return (req) => {
    const now = Date.now() + ahead
    const date = new Date(now).toUTCString()
    if (Math.abs(amzDate(req.headers['x-amz-date']) - now) <= 300_000) return { status: 200, headers: { date } }
    const refused = apiError(403, 'InvalidSignatureException', 'Signature expired')
    return { ...refused, headers: { ...refused.headers, date } }
  }
}
const unavailable = () => ({
  status: 503,
  headers: { 'content-type': 'application/json' },
  body: '{"message":"Service Unavailable"}',
})

/** A request made by the SDK client (not by the fast path). */
const bySdk = (req: Seen) => req.headers['amz-sdk-invocation-id'] !== undefined

before(async () => {
  const listening = await listenAsConnectionsApi((seen) => {
    requests.push(seen)
    return respond(seen, requests.length - 1)
  })
  server = listening.server
  endpoint = `http://${listening.domain}/${STAGE}`
})

after(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

beforeEach(() => {
  requests = []
  respond = () => ({ status: 200 })
})

/** A MESSAGE event whose handler sends `payload` to `to` (test/fixtures/send-sdk/socket.js). */
function sendEvent(to: string, payload: unknown): WebSocketEvent {
  const event = JSON.parse(
    readFileSync(path.join(here, 'fixtures', 'events', 'message-route.json'), 'utf8'),
  ) as WebSocketEvent
  event.requestContext.stage = STAGE
  event.body = JSON.stringify({ route: 'message', data: { to, payload } })
  return event
}

/** The environment Lambda gives the function, pointed at the local @connections server. */
function functionEnv(): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET,
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_LAMBDA_FUNCTION_NAME: 'send-sdk',
    AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI: endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  }
}

for (const sdk of RUNTIME_SDKS) {
  describe(`socket.send on the ${sdk.label} SDK (client-apigatewaymanagementapi ${sdk.version})`, () => {
    let lambda: LambdaWithSdk

    before(async () => {
      lambda = await startLambdaWithSdk(sdk, functionEnv())
    })
    after(() => lambda?.close())

    let logs = ''
    /** Sends through the function (`on`, a fresh one if given); returns what socket.send did, its log in `logs`. */
    async function send(to: string, payload: unknown = { hello: 'wörld' }, on = lambda) {
      const invoked = await on.invoke(sendEvent(to, payload))
      assert.equal(invoked.error, undefined, invoked.error)
      assert.ok(invoked.outcome, `the handler ran no socket.send: ${JSON.stringify(invoked)}`)
      logs = invoked.logs
      return invoked.outcome
    }

    /** A test in an execution environment of its own: what it changes in its client (clock offset, fast path) stays there. */
    async function inFreshEnvironment(run: (fresh: LambdaWithSdk) => Promise<void>) {
      const fresh = await startLambdaWithSdk(sdk, functionEnv())
      try {
        await run(fresh)
      } finally {
        await fresh.close()
      }
    }

    /** A request the SDK client made, as its attempt `attempt` of 3. */
    function assertSdkAttempt(req: Seen, attempt: number) {
      assert.ok(bySdk(req), 'expected a request made by the SDK client')
      assert.equal(req.headers['amz-sdk-request'], `attempt=${attempt}; max=3`)
      assert.match(String(req.headers['user-agent']), /^aws-sdk-js\/3\.\d+\.\d+ /)
    }

    function assertError(error: SendError | undefined, name: string, status: number, attempts: number) {
      assert.ok(error, 'the send resolved')
      assert.equal(error.name, name)
      assert.equal(error.metadata?.httpStatusCode, status)
      assert.equal(error.metadata?.attempts, attempts)
    }

    test('the bundle loaded this SDK version, from the runtime module folder', () => {
      assert.equal(lambda.sdkVersion, sdk.version)
      assert.match(lambda.sdkEntry, new RegExp(`node_modules/${sdk.installedAs.replace('/', '\\/')}/`))
    })

    test('a 200 is the fast path: one POST, signed (SigV4 verified), no SDK request', async () => {
      const outcome = await send('Zk9/+a=b', { n: 1 })
      assert.deepEqual(outcome, { sent: true })
      assert.equal(requests.length, 1)
      const [req] = requests
      assert.ok(!bySdk(req!), `the fast path was not taken: ${JSON.stringify(req!.headers)}`)
      assert.equal(req!.rawUrl, `/${STAGE}/@connections/Zk9%2F%2Ba%3Db`)
      assert.equal(req!.body.toString(), '{"n":1}')
      const [expected, received] = signatures(req!, SECRET)
      assert.equal(received, expected)
    })

    test('a 410 GoneException rejects with GoneConnectionError after the fast path request alone', async () => {
      respond = gone
      const outcome = await send('dead=')
      assert.equal(outcome.sent, false)
      assert.equal(outcome.error?.name, 'GoneConnectionError')
      assert.equal(outcome.error?.connectionId, 'dead=')
      assertError(outcome.error?.cause, 'GoneException', 410, 1)
      assert.equal(outcome.error?.cause?.metadata?.requestId, 'req-410')
      assert.equal(requests.length, 1, 'the 410 was handed to the SDK, not asked again')
      assert.ok(!bySdk(requests[0]!))
    })

    test('a 403 ForbiddenException surfaces as the SDK error, not retried', async () => {
      respond = forbidden
      const outcome = await send('no-permission')
      assertError(outcome.error, 'ForbiddenException', 403, 1)
      assert.equal(outcome.error?.fault, 'client')
      assert.equal(requests.length, 1)
    })

    test('a 413 PayloadTooLargeException surfaces as the SDK error, not retried', async () => {
      respond = tooLarge
      const outcome = await send('big', 'x'.repeat(1000))
      assertError(outcome.error, 'PayloadTooLargeException', 413, 1)
      assert.equal(requests.length, 1)
    })

    test('a 429 LimitExceededException then a 200: the SDK retries once, the send resolves', async () => {
      respond = (_req, i) => (i === 0 ? throttled() : { status: 200 })
      assert.deepEqual(await send('busy'), { sent: true })
      assert.equal(requests.length, 2)
      assert.ok(!bySdk(requests[0]!))
      assertSdkAttempt(requests[1]!, 2)
      assert.deepEqual(requests[1]!.body, requests[0]!.body)
    })

    test('a 429 that persists fails after the SDK maximum of 3 attempts, as LimitExceededException', async () => {
      respond = throttled
      const outcome = await send('still-busy')
      assertError(outcome.error, 'LimitExceededException', 429, 3)
      assert.equal(requests.length, 3)
      assertSdkAttempt(requests[1]!, 2)
      assertSdkAttempt(requests[2]!, 3)
    })

    test('a 503 then a 200: the SDK retries once, the send resolves', async () => {
      respond = (_req, i) => (i === 0 ? unavailable() : { status: 200 })
      assert.deepEqual(await send('retry-me'), { sent: true })
      assert.equal(requests.length, 2)
      assertSdkAttempt(requests[1]!, 2)
    })

    test('a 503 that persists fails after the SDK maximum of 3 attempts', async () => {
      respond = unavailable
      const outcome = await send('down')
      // An unmodelled error: its name and $fault are the SDK version's own ('503' and 'client' on 3.888.0, 'Unknown'
      // and 'server' on 3.1169.0); the retries are the same.
      assert.notEqual(outcome.error?.name, 'GoneConnectionError')
      assert.equal(outcome.error?.metadata?.httpStatusCode, 503)
      assert.equal(outcome.error?.metadata?.attempts, 3)
      assert.equal(requests.length, 3)
    })

    test('a connection reset before the answer is retried by the SDK, and the send resolves', async () => {
      respond = (_req, i) => (i === 0 ? 'reset' : { status: 200 })
      assert.deepEqual(await send('reset-me'), { sent: true })
      assert.equal(requests.length, 2)
      assert.ok(!bySdk(requests[0]!))
      assertSdkAttempt(requests[1]!, 2)
    })

    test('after errors handed to the SDK, the next 200 is the fast path again', async () => {
      assert.deepEqual(await send('after-errors'), { sent: true })
      assert.equal(requests.length, 1)
      assert.ok(!bySdk(requests[0]!))
    })

    test('a clock an hour behind the API: the SDK corrects it, and the fast path then signs with the corrected clock', () =>
      inFreshEnvironment(async (fresh) => {
        respond = serverClockedAhead(3_600_000)
        assert.deepEqual(await send('skewed', 'x', fresh), { sent: true })
        assert.doesNotMatch(logs, /refused the fast send path's signature/)
        // The fast path's request and the SDK's first are refused as expired; the SDK's retry, skew corrected, is not.
        assert.equal(requests.length, 3)
        assert.ok(!bySdk(requests[0]!))
        assertSdkAttempt(requests[1]!, 1)
        assertSdkAttempt(requests[2]!, 2)
        assert.deepEqual(await send('skew-corrected', 'x', fresh), { sent: true })
        assert.equal(requests.length, 4)
        assert.ok(!bySdk(requests[3]!), 'the fast path stays on, with the SDK-corrected clock')
      }))

    test('a signature refused to the fast path alone: the SDK sends instead, and from then on every send', () =>
      inFreshEnvironment(async (fresh) => {
        respond = (req) => (bySdk(req) ? { status: 200 } : signatureRefused())
        assert.deepEqual(await send('refused', 'x', fresh), { sent: true })
        assert.equal(requests.length, 2)
        assert.ok(!bySdk(requests[0]!))
        assertSdkAttempt(requests[1]!, 1)
        assert.match(logs, /refused the fast send path's signature \(InvalidSignatureException\)/)
        assert.deepEqual(await send('after-refused', 'x', fresh), { sent: true })
        assert.equal(requests.length, 3)
        assertSdkAttempt(requests[2]!, 1)
      }))
  })
}

// ---- a client whose internals are not what the fast path reads -------------------------------------------------
//
// The fast path reads undocumented parts of the client: config.endpoint(), config.signer(), config.systemClockOffset
// and config.requestHandler.handle. An SDK that has them otherwise must still send, through client.send, as if there
// were no fast path. Each case is a client whose send() is a real client's, and whose config is changed as the fast
// path sees it (changing the real config would break the SDK client itself, which reads the same fields).

describe('a client without the internals the fast path reads: the send falls back to client.send', () => {
  before(() => {
    process.env.AWS_ACCESS_KEY_ID = ACCESS_KEY
    process.env.AWS_SECRET_ACCESS_KEY = SECRET
    process.env.AWS_REGION = 'eu-west-1'
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
    delete process.env.AWS_SESSION_TOKEN
    delete process.env.AWS_MAX_ATTEMPTS
    delete process.env.AWS_RETRY_MODE
  })

  type Config = Record<string, unknown>
  type Signer = { sign(request: unknown): Promise<unknown> }
  /** A client whose send() is `real`'s and whose config, as the fast path reads it, is `config(real.config)`. */
  function clientWith(real: ApiGatewayManagementApiClient, config: (real: Config) => unknown) {
    return {
      config: config(real.config as unknown as Config),
      send: real.send.bind(real),
    } as unknown as ApiGatewayManagementApiClient
  }
  const without = (c: Config, name: string) => {
    const copy = { ...c }
    delete copy[name]
    return copy
  }
  const cases: Array<[string, (real: Config) => unknown]> = [
    ['no config at all', () => undefined],
    ['no config.signer', (c) => without(c, 'signer')],
    ['no config.endpoint', (c) => without(c, 'endpoint')],
    ['config.endpoint a string, not a function', (c) => ({ ...c, endpoint: endpoint })],
    [
      'config.endpoint resolving to { url } (not its parts)',
      (c) => ({ ...c, endpoint: async () => ({ url: new URL(endpoint) }) }),
    ],
    [
      'config.endpoint resolving to parts without a hostname',
      (c) => ({ ...c, endpoint: async () => without(await (c.endpoint as () => Promise<Config>)(), 'hostname') }),
    ],
    [
      'config.endpoint resolving to parts without a path',
      (c) => ({ ...c, endpoint: async () => without(await (c.endpoint as () => Promise<Config>)(), 'path') }),
    ],
    ['config.signer resolving to an object without sign()', (c) => ({ ...c, signer: async () => ({}) })],
    [
      'config.signer wanting an argument the fast path does not pass',
      (c) => ({
        ...c,
        signer: async (authScheme?: unknown) => {
          if (!authScheme) throw new TypeError('authScheme is required')
          return (c.signer as (a: unknown) => Promise<unknown>)(authScheme)
        },
      }),
    ],
    [
      'a signer whose sign() throws',
      (c) => ({
        ...c,
        signer: async () => ({
          sign: async () => {
            throw new Error('cannot sign this way')
          },
        }),
      }),
    ],
    ['no config.requestHandler', (c) => without(c, 'requestHandler')],
    [
      'a request handler whose handle() cannot be replaced',
      (c) => {
        const handler = c.requestHandler as { handle: (...args: unknown[]) => unknown }
        Object.defineProperty(handler, 'handle', { value: handler.handle.bind(handler), writable: false })
        return c
      },
    ],
  ]

  for (const [what, config] of cases) {
    test(`${what}: the send goes through client.send, and a 410 is still GoneConnectionError`, async () => {
      const real = new ApiGatewayManagementApiClient({ endpoint })
      try {
        const client = clientWith(real, config)
        await postToConnection(client, 'fine', Buffer.from('x'))
        assert.equal(requests.length, 1)
        assert.ok(bySdk(requests[0]!), 'the send did not go through the SDK client')
        const [expected, received] = signatures(requests[0]!, SECRET)
        assert.equal(received, expected)

        respond = gone
        await assert.rejects(postToConnection(client, 'dead', Buffer.from('x')), GoneConnectionError)
        assert.equal(requests.length, 2)
        assert.ok(bySdk(requests[1]!))
      } finally {
        real.destroy()
      }
    })
  }

  test('a fast path signature API Gateway refuses: the SDK sends instead, and every later send, with a warning', async (t) => {
    const warnings: string[] = []
    t.mock.method(console, 'warn', (message: string) => warnings.push(message))
    const real = new ApiGatewayManagementApiClient({ endpoint })
    try {
      // A signer of another shape: its signature is not the SDK's (the server checks every signature).
      const client = clientWith(real, (c) => ({
        ...c,
        signer: async () => ({
          sign: async (request: { headers: Record<string, string> }) => {
            const signed = await ((await (c.signer as () => Promise<Signer>)()).sign(request) as Promise<{
              headers: Record<string, string>
            }>)
            return {
              ...signed,
              headers: {
                ...signed.headers,
                authorization: signed.headers.authorization!.replace(/.$/, (d) => (d === '0' ? '1' : '0')),
              },
            }
          },
        }),
      }))
      respond = (req) => {
        const [expected, received] = signatures(req, SECRET)
        return expected === received ? { status: 200 } : signatureRefused()
      }
      await postToConnection(client, 'ok', Buffer.from('x'))
      assert.equal(requests.length, 2)
      assert.ok(!bySdk(requests[0]!) && bySdk(requests[1]!))
      assert.equal(warnings.length, 1)
      await postToConnection(client, 'ok', Buffer.from('y'))
      assert.equal(requests.length, 3)
      assert.ok(bySdk(requests[2]!), 'the fast path is off for this client')
      assert.equal(warnings.length, 1, 'one warning per client')
    } finally {
      real.destroy()
    }
  })

  test('a signature refused to both: the SDK error, and the fast path stays on', async (t) => {
    const warnings: string[] = []
    t.mock.method(console, 'warn', (message: string) => warnings.push(message))
    const client = new ApiGatewayManagementApiClient({ endpoint })
    try {
      respond = signatureRefused
      await assert.rejects(postToConnection(client, 'x', Buffer.from('x')), (err: unknown) => {
        const e = err as { name?: string; $metadata?: { httpStatusCode?: number; attempts?: number } }
        assert.equal(e.name, 'InvalidSignatureException')
        assert.equal(e.$metadata?.httpStatusCode, 403)
        assert.equal(e.$metadata?.attempts, 1)
        return true
      })
      assert.equal(requests.length, 2, 'the fast path request, then the SDK its own')
      assert.ok(!bySdk(requests[0]!) && bySdk(requests[1]!))
      respond = () => ({ status: 200 })
      await postToConnection(client, 'x', Buffer.from('x'))
      assert.equal(requests.length, 3)
      assert.ok(!bySdk(requests[2]!))
      assert.deepEqual(warnings, [])
    } finally {
      client.destroy()
    }
  })

  test('an SDK that sends a copy of the payload: the fast path answer is not taken, the SDK asks again', async () => {
    // The handoff matches the SDK's request to its send by the payload's identity; a copy finds no answer, so the SDK
    // makes its own first attempt: one request more, and nothing is handed to a later send.
    const real = new ApiGatewayManagementApiClient({ endpoint })
    try {
      const send = real.send.bind(real)
      const client = {
        config: real.config,
        send: (command: { input: { Data?: Uint8Array } }) => {
          command.input.Data = Uint8Array.from(command.input.Data ?? [])
          return send(command as never)
        },
      } as unknown as ApiGatewayManagementApiClient
      respond = (_req, i) => (i < 2 ? gone() : { status: 200 })
      await assert.rejects(postToConnection(client, 'dead', Buffer.from('x')), GoneConnectionError)
      assert.equal(requests.length, 2)
      assert.ok(!bySdk(requests[0]!) && bySdk(requests[1]!))
      await postToConnection(client, 'dead', Buffer.from('x'))
      assert.equal(requests.length, 3)
      assert.ok(!bySdk(requests[2]!), 'a 200 is the fast path')
    } finally {
      real.destroy()
    }
  })
})
