// The smoke test of a published version (src/aws/smoke.ts) against moto behind the shim, whose Lambda Invoke runs the
// uploaded zip in the dev Lambda stand-in: a really built bundle, CreateFunction, PublishVersion, then the test.
import { after, before, beforeEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { readFileSync } from 'node:fs'
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam'
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda'
import { ENDPOINT_VARIABLE } from '../runtime/connections.ts'
import { bundleSocket, LAMBDA_HANDLER } from '../src/bundle/build.ts'
import {
  describeFailure,
  smokeConnectEvent,
  smokeTestVersion,
  SmokeTestError,
  type SmokeTarget,
} from '../src/aws/smoke.ts'
import { maskValue } from '../src/secrets.ts'
import { startAwsBed, type AwsBed } from './helpers/aws-bed.ts'

const REGION = 'us-east-1'
const PING = { body: '{"route":"ping"}', expect: 'pong' }

let bed: AwsBed
let lambda: LambdaClient
let iam: IAMClient
/** This test's scratch folder for socket.js, and the role its functions get. */
const scratch = { dir: '', roleArn: '' }

before(async () => {
  bed = await startAwsBed()
  lambda = new LambdaClient({ region: REGION, endpoint: bed.shim.endpoint })
  iam = new IAMClient({ region: REGION, endpoint: bed.shim.endpoint })
})
after(async () => {
  lambda.destroy()
  iam.destroy()
  await bed?.stop()
})
beforeEach(async () => {
  await bed.reset()
  // States and role propagation are other suites' subject: here a function is usable at once.
  bed.shim.configure({ pendingReads: 0, inProgressReads: 0, roleUnassumableCalls: 0 })
  if (scratch.dir) await rm(scratch.dir, { recursive: true, force: true })
  scratch.dir = await mkdtemp(path.join(tmpdir(), 'socket-action-smoke-'))
  const role = await iam.send(
    new CreateRoleCommand({
      RoleName: 'smoke-role',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    }),
  )
  scratch.roleArn = role.Role!.Arn!
})
after(async () => {
  if (scratch.dir) await rm(scratch.dir, { recursive: true, force: true })
})

async function build(source: string): Promise<{ zip: Buffer; sha256: string }> {
  const file = path.join(scratch.dir, 'socket.js')
  await writeFile(file, source)
  return bundleSocket(file, { codeDir: scratch.dir })
}

/** Builds socket.js, creates (or updates) the function with it, publishes a version: the smoke test's target. */
async function publish(
  source: string,
  {
    functionName = 'smoke-fn',
    timeout = 5,
    env = {},
  }: { functionName?: string; timeout?: number; env?: Record<string, string> } = {},
): Promise<SmokeTarget> {
  const { zip, sha256 } = await build(source)
  const exists = await lambda.send(new GetFunctionCommand({ FunctionName: functionName })).then(
    () => true,
    () => false,
  )
  if (exists) await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: functionName, ZipFile: zip }))
  else
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: functionName,
        Role: scratch.roleArn,
        Runtime: 'nodejs22.x',
        Handler: LAMBDA_HANDLER,
        Code: { ZipFile: zip },
        MemorySize: 256,
        Timeout: timeout,
        Environment: { Variables: { GREETING: 'pong', ...env } },
      }),
    )
  const version = await lambda.send(new PublishVersionCommand({ FunctionName: functionName }))
  assert.equal(version.CodeSha256, sha256)
  return { functionName, qualifier: version.Version!, codeSha256: sha256 }
}

const options = { region: REGION, stage: 'prod' }

async function failure(promise: Promise<unknown>): Promise<SmokeTestError> {
  const error = await promise.then(
    () => assert.fail('the smoke test passed'),
    (e: unknown) => e,
  )
  assert.ok(error instanceof SmokeTestError, `not a SmokeTestError: ${String(error)}`)
  return error
}

const GOOD = `
on('connect', async () => 200)
on('ping', async (data, socket) => {
  await socket.send({ reply: process.env.GREETING })
})
on('disconnect', async () => {})
`

describe('smokeTestVersion', () => {
  test('a good socket.js passes: $connect, the message (reply sent to the caller), $disconnect', async () => {
    const target = await publish(GOOD)
    const report = await smokeTestVersion(lambda, target, { ...options, message: PING })
    assert.deepEqual(
      report.steps.map((s) => [s.step, s.statusCode]),
      [
        ['$connect', 200],
        ['message', 200],
        ['$disconnect', 200],
      ],
    )
    const invokes = bed.shim.calls().filter((c) => c.operation === 'Invoke')
    assert.equal(invokes.length, 3)
  })

  test("a handler's return value is no reply (API Gateway drops it); without a message only $connect and $disconnect run", async () => {
    const target = await publish(`on('default', async (data) => 'pong to ' + JSON.stringify(data))`)
    const error = await failure(
      smokeTestVersion(lambda, target, { ...options, message: { body: 'hello', expect: 'pong to "hello"' } }),
    )
    assert.match(
      error.message,
      /does not contain "pong to \\"hello\\"": it answered 200 with body .* and sent nothing back/,
    )
    bed.shim.clearCalls()
    const report = await smokeTestVersion(lambda, target, options)
    assert.deepEqual(
      report.steps.map((s) => s.step),
      ['$connect', '$disconnect'],
    )
  })

  test('it invokes the published version, not $LATEST', async () => {
    const v1 = await publish(GOOD)
    await publish(`on('connect', async () => 500)`)
    await smokeTestVersion(lambda, v1, { ...options, message: PING })
    const error = await failure(smokeTestVersion(lambda, { ...v1, qualifier: '2' }, options))
    assert.match(error.message, /^smoke test of version 2 failed: \$connect answered 500/)
  })

  test('a socket.js that throws at import fails with the error and its socket.js line', async () => {
    const target = await publish(
      `on('connect', async () => 200)\nconst config = undefined\nif (!config) throw new Error('CONFIG missing')\n`,
    )
    const error = await failure(smokeTestVersion(lambda, target, { ...options, message: PING }))
    assert.equal(error.step, '$connect')
    assert.match(
      error.message,
      /^smoke test of version 1 failed: \$connect threw Error: CONFIG missing at socket\.js:3:\d+ while the function was loading/,
    )
  })

  test('a handler that throws fails with its socket.js line', async () => {
    const target = await publish(
      `on('connect', async () => 200)\non('ping', async (data) => {\n  return data.missing.field\n})\n`,
    )
    const error = await failure(smokeTestVersion(lambda, target, { ...options, message: PING }))
    assert.equal(error.step, 'message')
    assert.match(error.message, /message threw TypeError: Cannot read properties of undefined .* at socket\.js:3:\d+/)
  })

  test('a $connect that answers 500 fails and says so', async () => {
    const target = await publish(`on('connect', async () => ({ statusCode: 500, body: 'no database' }))`)
    const error = await failure(smokeTestVersion(lambda, target, { ...options, message: PING }))
    assert.equal(
      error.message,
      'smoke test of version 1 failed: $connect answered 500 with body "no database": API Gateway would refuse every connection',
    )
  })

  test('a $connect that refuses with 401 (no credentials) passes without a smoke message, and fails with one', async () => {
    const target = await publish(`on('connect', async (data) => (data.headers.Authorization ? 200 : 401))`)
    const report = await smokeTestVersion(lambda, target, options)
    assert.deepEqual(
      report.steps.map((s) => [s.step, s.statusCode]),
      [
        ['$connect', 401],
        ['$disconnect', 200],
      ],
    )
    const error = await failure(smokeTestVersion(lambda, target, { ...options, message: PING }))
    assert.match(error.message, /\$connect answered 401: the smoke message needs a connection the handler accepts/)
  })

  test('a $connect that checks credentials: 401 without smoke.headers and smoke.query, 200 with them', async () => {
    const target = await publish(`
on('connect', async (data) =>
  data.headers.Authorization === 'Bearer sv-smoke-credential' && data.query.token === 'sv-query credential' ? 200 : 401)
on('ping', async (data, socket) => { await socket.send('pong') })
`)
    const error = await failure(smokeTestVersion(lambda, target, { ...options, message: PING }))
    assert.match(
      error.message,
      /\$connect answered 401: .* carries no credentials - give them in smoke\.headers or smoke\.query/,
    )
    const onlyHeader = await failure(
      smokeTestVersion(lambda, target, {
        ...options,
        message: PING,
        handshake: { headers: { Authorization: 'Bearer sv-smoke-credential' } },
      }),
    )
    assert.match(onlyHeader.message, /refused the smoke test's \$connect with smoke\.headers - check their values/)
    const report = await smokeTestVersion(lambda, target, {
      ...options,
      message: PING,
      handshake: { headers: { Authorization: 'Bearer sv-smoke-credential' }, query: { token: 'sv-query credential' } },
    })
    assert.deepEqual(
      report.steps.map((s) => [s.step, s.statusCode]),
      [
        ['$connect', 200],
        ['message', 200],
        ['$disconnect', 200],
      ],
    )
  })

  test('a credential read from the environment is not in the failure, even when the handler echoes it', async () => {
    maskValue('sv-echoed-credential')
    const target = await publish(`
on('connect', async (data) => ({ statusCode: 403, body: 'refused ' + data.headers['X-Api-Key'] + ' ' + data.query.key }))
`)
    const error = await failure(
      smokeTestVersion(lambda, target, {
        ...options,
        message: PING,
        handshake: { headers: { 'X-Api-Key': 'sv-echoed-credential' }, query: { key: 'sv-echoed-credential' } },
      }),
    )
    assert.match(error.message, /\$connect answered 403 with body "refused \*\*\* \*\*\*"/)
    assert.doesNotMatch(error.message, /sv-echoed-credential/)
  })

  test('a reply without `expect` fails and says what it got', async () => {
    const target = await publish(`on('ping', async (data, socket) => { await socket.send('pang') ; return 'ok' })`)
    const error = await failure(smokeTestVersion(lambda, target, { ...options, message: PING }))
    assert.equal(error.step, 'message')
    assert.equal(
      error.message,
      'smoke test of version 1 failed: the reply to "{\\"route\\":\\"ping\\"}" does not contain "pong": it answered 200 with body "ok" and sent "pang"',
    )
  })

  test('a handler that runs past the function timeout fails', async () => {
    const target = await publish(`on('connect', () => new Promise(() => {}))`, { functionName: 'slow-fn', timeout: 1 })
    const error = await failure(smokeTestVersion(lambda, target, options))
    assert.match(error.message, /\$connect threw Sandbox\.Timedout: .*Task timed out after 1\.00 seconds/)
  })

  test('the smoke test has its own time limit', async () => {
    const target = await publish(`on('connect', () => new Promise(() => {}))`, { functionName: 'slow-fn' })
    const error = await failure(smokeTestVersion(lambda, target, { ...options, timeoutMs: 300 }))
    assert.match(error.message, /\$connect got no answer within 0\.3 s/)
  })

  test('$disconnect runs after a failed message (it may clean up), and a throwing $disconnect fails', async () => {
    const target = await publish(
      `on('ping', async () => 'pang')\non('disconnect', async () => {\n  throw new Error('cleanup failed')\n})\n`,
    )
    bed.shim.clearCalls()
    const error = await failure(smokeTestVersion(lambda, target, { ...options, message: PING }))
    assert.equal(error.step, 'message')
    assert.equal(bed.shim.calls().filter((c) => c.operation === 'Invoke').length, 3)
    const alone = await failure(smokeTestVersion(lambda, target, options))
    assert.equal(alone.step, '$disconnect')
    assert.match(alone.message, /\$disconnect threw Error: cleanup failed at socket\.js:3:\d+$/)
  })

  test('a version that does not exist: the AWS error, explained', async () => {
    const target = await publish(GOOD)
    const error = await failure(smokeTestVersion(lambda, { ...target, qualifier: '99' }, options))
    assert.match(
      error.message,
      /^smoke test of version 99 failed: invoking it for \$connect: ResourceNotFoundException/,
    )
  })

  test('sends during the smoke test reach no connection: the runtime records them', async (t) => {
    // The function's @connections endpoint is a local server that counts what reaches it.
    const posts: string[] = []
    const server = createServer((req, res) => {
      posts.push(`${req.method} ${decodeURIComponent(req.url ?? '')}`)
      req.resume()
      req.on('end', () => res.writeHead(200).end())
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`
    // A handler that broadcasts to stored ids (as from a table), sends to another id, and replies to the caller.
    const target = await publish(
      `
on('ping', async (data, socket) => {
  const gone = await socket.broadcast('hello all', ['AAAAAAAAAAAAAAA=', socket.id])
  await socket.send('pong', 'BBBBBBBBBBBBBBB=')
  await socket.send('pong')
  return { statusCode: 200, body: JSON.stringify({ gone }) }
})`,
      { env: { [ENDPOINT_VARIABLE]: endpoint } },
    )
    await smokeTestVersion(lambda, target, { ...options, message: PING })
    assert.deepEqual(posts, [])

    // What the runtime returned for a marked event: the record; the same event unmarked reaches the endpoint.
    const event: Record<string, unknown> = {
      requestContext: {
        routeKey: '$default',
        eventType: 'MESSAGE',
        connectionId: 'CCCCCCCCCCCCCCC=',
        domainName: 'smoketest0.execute-api.us-east-1.amazonaws.com',
        stage: 'prod',
        apiId: 'smoketest0',
        requestId: 'r',
      },
      body: PING.body,
    }
    const invoke = async (payload: Record<string, unknown>) => {
      const out = await lambda.send(
        new InvokeCommand({ FunctionName: target.functionName, Qualifier: '1', Payload: JSON.stringify(payload) }),
      )
      assert.equal(out.FunctionError, undefined)
      return JSON.parse(Buffer.from(out.Payload!).toString())
    }
    assert.deepEqual(await invoke({ ...event, socketActionSmokeTest: true }), {
      statusCode: 200,
      body: '{"gone":[]}',
      smoke: {
        sent: [
          { connectionId: 'AAAAAAAAAAAAAAA=', data: 'hello all' },
          { connectionId: 'CCCCCCCCCCCCCCC=', data: 'hello all' },
          { connectionId: 'BBBBBBBBBBBBBBB=', data: 'pong' },
          { connectionId: 'CCCCCCCCCCCCCCC=', data: 'pong' },
        ],
      },
    })
    assert.deepEqual(posts, [])
    assert.deepEqual(await invoke(event), { statusCode: 200, body: '{"gone":[]}' })
    assert.deepEqual(posts.sort(), [
      'POST /prod/@connections/AAAAAAAAAAAAAAA=',
      'POST /prod/@connections/BBBBBBBBBBBBBBB=',
      'POST /prod/@connections/CCCCCCCCCCCCCCC=',
      'POST /prod/@connections/CCCCCCCCCCCCCCC=',
    ])
  })
})

describe("the smoke test's $connect event", () => {
  const FIXTURE = JSON.parse(
    readFileSync(path.join(import.meta.dirname, 'fixtures', 'events', 'aws', 'connect.json'), 'utf8'),
  )
  const api = { apiId: 'smoketest0', domainName: 'smoketest0.execute-api.us-east-1.amazonaws.com', stage: 'prod' }
  const conn = { connectionId: 'CCCCCCCCCCCCCCC=', connectedAt: 1767225600000, sourceIp: '127.0.0.1' }

  test("carries the handshake's headers as written and its query string, in the fields and order of AWS's event", () => {
    const event = smokeConnectEvent(
      api,
      { ...conn, userAgent: 'probe/1.0' },
      { headers: { Authorization: 'Bearer t0k+/=', 'x-tenant': 'a, b' }, query: { token: 'a b&c=d', room: 'lobby' } },
    )
    assert.deepEqual(Object.keys(event), Object.keys(FIXTURE))
    assert.deepEqual(event.headers, {
      Host: api.domainName,
      'Sec-WebSocket-Key': Buffer.from(conn.connectionId).toString('base64'),
      'Sec-WebSocket-Version': '13',
      'User-Agent': 'probe/1.0',
      Authorization: 'Bearer t0k+/=',
      'x-tenant': 'a, b',
      'X-Forwarded-For': '127.0.0.1',
      'X-Forwarded-Port': '443',
      'X-Forwarded-Proto': 'https',
      'X-Amzn-Trace-Id': event.headers!['X-Amzn-Trace-Id']!,
    })
    assert.match(event.headers!['X-Amzn-Trace-Id']!, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/)
    assert.deepEqual(
      event.multiValueHeaders,
      Object.fromEntries(Object.entries(event.headers!).map(([k, v]) => [k, [v]])),
    )
    assert.deepEqual(event.queryStringParameters, { token: 'a b&c=d', room: 'lobby' })
    assert.deepEqual(event.multiValueQueryStringParameters, { token: ['a b&c=d'], room: ['lobby'] })
    assert.equal(event.requestContext.identity?.userAgent, 'probe/1.0')
    assert.equal(event.requestContext.eventType, 'CONNECT')
  })

  test('without a handshake: no query fields, as API Gateway sends for a URL without a query', () => {
    const event = smokeConnectEvent(api, { ...conn, userAgent: 'socket-action-smoke-test' })
    assert.ok(!('queryStringParameters' in event) && !('multiValueQueryStringParameters' in event))
    assert.equal(event.headers!['User-Agent'], 'socket-action-smoke-test')
    assert.ok(!('Authorization' in event.headers!))
  })
})

describe('describeFailure (what Lambda answered with FunctionError)', () => {
  test('an init error type says the function failed to load; no trace, no location', () => {
    assert.equal(
      describeFailure({
        errorType: 'Runtime.ImportModuleError',
        errorMessage: "Error: Cannot find module 'pg'",
      }),
      "Runtime.ImportModuleError: Error: Cannot find module 'pg' while the function was loading (every event fails)",
    )
  })
  test('the first frame in the code, not the runtime, node: or node_modules, relative to /var/task', () => {
    const trace = [
      'Error: no table',
      '    at query (/var/task/node_modules/db/index.js:10:5)',
      '    at <anonymous> (/var/task/lib/store.js:7:11)',
      '    at <anonymous> (/var/task/socket.js:4:3)',
      '    at handle (socket-action-runtime:handler.ts:171:43)',
    ]
    assert.equal(
      describeFailure({ errorType: 'Error', errorMessage: 'no table', trace }),
      'Error: no table at lib/store.js:7:11',
    )
  })
  test("the Lambda runtime's own frames (/var/runtime) are no origin in the code: a missing handler has none", () => {
    const trace = [
      'Runtime.HandlerNotFound: index.handler is undefined or not exported',
      '    at resolveHandler (file:///var/runtime/index.mjs:1194:11)',
      '    at UserFunctionLoader.load (file:///var/runtime/index.mjs:1116:21)',
    ]
    assert.equal(
      describeFailure({
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: 'index.handler is undefined or not exported',
        trace,
      }),
      'Runtime.HandlerNotFound: index.handler is undefined or not exported while the function was loading (every event fails)',
    )
  })
  test('a timeout: the message only', () => {
    assert.equal(
      describeFailure({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 3.00 seconds' }),
      'Sandbox.Timedout: Task timed out after 3.00 seconds',
    )
  })
})
