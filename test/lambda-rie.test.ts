// The deployed zip under AWS's own Lambda runtime, on Node 24 and 22: the Runtime Interface Emulator (aws-lambda-rie)
// running the Node.js Runtime Interface Client (aws-lambda-ric) as its bootstrap, against dev's stand-in
// (src/dev/lambda.ts, what `dev` and the shim's Invoke run) in a process of the same Node.js. Both get the same events,
// AWS's shapes (test/fixtures/events/aws/), and must answer alike: status, payload, error type and message, where the
// error was thrown, and the sends that reach @connections. Where they differ, AWS's code is the reference.
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { LambdaClient } from '@aws-sdk/client-lambda'
import { unzipSync } from 'fflate'
import type { WebSocketEvent } from '../runtime/types.ts'
import { describeFailure, smokeTestVersion, SmokeTestError } from '../src/aws/smoke.ts'
import { bundleSocket, LAMBDA_HANDLER } from '../src/bundle/build.ts'

const ROOT = path.resolve(import.meta.dirname, '..')
const RIE = path.join(ROOT, '.tools/bin/aws-lambda-rie')
const RIC = path.join(ROOT, '.tools/ric/node_modules/aws-lambda-ric/index.mjs')
const NODES = { 24: path.join(ROOT, '.tools/node24/bin/node'), 22: path.join(ROOT, '.tools/node22/bin/node') }
const STAND_IN = path.join(import.meta.dirname, 'helpers/stand-in-server.ts')
const INSTALL = 'run `bash .ci/install-tools`'
const VERSION = '7'

const aws = (name: string): WebSocketEvent =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures/events/aws', `${name}.json`), 'utf8'))
const CONNECT = aws('connect')
const DISCONNECT = aws('disconnect')
/** AWS's MESSAGE event with another body: `{"route":"event"}` as captured, or what a test sends. */
const message = (body: string): WebSocketEvent => ({ ...aws('message'), body })

const GOOD = `
on('connect', async (data) => ({ statusCode: 200, body: 'room ' + data.query.room }))
on('event', async (data, socket) => {
  await socket.send({ echo: 'event', version: process.env.AWS_LAMBDA_FUNCTION_VERSION })
})
on('ping', async (data, socket) => {
  await socket.send('pong')
})
on('default', async (data, socket) => {
  socket.send({ late: data }) // not awaited
  return { statusCode: 200, body: 'default got ' + JSON.stringify(data) }
})
on('boom', async () => {
  throw new TypeError('boom in a handler')
})
on('exit', async () => {
  process.exit(3)
})
on('disconnect', async (data) => ({ statusCode: 200, body: JSON.stringify(data) }))
`
const THROWS_AT_IMPORT = `
on('connect', async () => 200)
throw new Error('boom at import')
`
const MISSING_MODULE = `
require('@aws-sdk/client-not-a-real-service')
on('connect', async () => 200)
`
const NEVER_LOADS = `
on('connect', async () => 200)
for (;;) {}
`

/** Task roots: each fixture's deployment package as deploy builds it, unzipped. */
const roots: Record<'good' | 'throwsAtImport' | 'missingModule' | 'neverLoads' | 'esModule', string> = {
  good: '',
  throwsAtImport: '',
  missingModule: '',
  neverLoads: '',
  esModule: '',
}
let scratch = ''

async function packageOf(name: string, source: string): Promise<string> {
  const codeDir = path.join(scratch, `${name}-code`)
  await mkdir(codeDir)
  await writeFile(path.join(codeDir, 'socket.js'), source)
  const { zip } = await bundleSocket(path.join(codeDir, 'socket.js'), { codeDir })
  const taskRoot = path.join(scratch, `${name}-task`)
  for (const [file, data] of Object.entries(unzipSync(new Uint8Array(zip)))) {
    await mkdir(path.dirname(path.join(taskRoot, file)), { recursive: true })
    await writeFile(path.join(taskRoot, file), data)
  }
  return taskRoot
}

before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'socket-action-rie-'))
  roots.good = await packageOf('good', GOOD)
  roots.throwsAtImport = await packageOf('throws-at-import', THROWS_AT_IMPORT)
  roots.missingModule = await packageOf('missing-module', MISSING_MODULE)
  roots.neverLoads = await packageOf('never-loads', NEVER_LOADS)
  // Not what the bundler makes (a CommonJS index.js), but what the runtime also loads: an ES module index.mjs.
  roots.esModule = path.join(scratch, 'es-module-task')
  await mkdir(roots.esModule)
  await writeFile(
    path.join(roots.esModule, 'index.mjs'),
    "export const handler = async (event) => ({ statusCode: 200, body: 'ES module got ' + event.requestContext.eventType })\n",
  )
})
after(() => rm(scratch, { recursive: true, force: true }))

// ---- the two runtimes ------------------------------------------------------------------------------------------

/** An invocation's answer as Lambda's Invoke gives it: FunctionError or not, and the payload. */
interface Answer {
  failed: boolean
  payload: any
}

interface Runtime {
  invoke(event: WebSocketEvent): Promise<Answer>
  /** What the function and its runtime wrote so far. */
  output(): Promise<string>
  close(): Promise<void>
}

/** What @connections received: POST /{stage}/@connections/{id} with its body, and when. */
interface Receiver {
  endpoint: string
  sends: Array<{ at: number; path: string; body: string }>
  close(): Promise<void>
}

async function receiver(): Promise<Receiver> {
  const sends: Receiver['sends'] = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      sends.push({ at: Date.now(), path: decodeURIComponent(req.url ?? ''), body })
      res.end()
    })
  })
  // A frozen environment may hold a kept-alive connection for long: it must still be open when the environment thaws.
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`,
    sends,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

interface Setup {
  node: keyof typeof NODES
  taskRoot: string
  handler?: string
  timeoutSeconds?: number
  connections: string
}

/** The function's own configuration, the same for both runtimes. */
function functionEnv(setup: Setup): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    // The runtime's @connections endpoint (runtime/connections.ts): this test's receiver.
    AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI: setup.connections,
  }
}

async function untilListening(url: string, child: ChildProcess, what: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${what()}\nexited ${child.exitCode}`)
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) })
      return
    } catch {
      await sleep(25)
    }
  }
  throw new Error(`never listened at ${url}:\n${what()}`)
}

/** aws-lambda-rie with aws-lambda-ric as its bootstrap, in the task root, as Lambda's runtime runs a zip. */
async function startRie(setup: Setup): Promise<Runtime> {
  const [port, runtimeApi] = [await freePort(), await freePort()]
  const handler = setup.handler ?? LAMBDA_HANDLER
  const child = spawn(
    RIE,
    [
      '--runtime-interface-emulator-address',
      `127.0.0.1:${port}`,
      '--runtime-api-address',
      `127.0.0.1:${runtimeApi}`,
      NODES[setup.node],
      RIC,
      handler,
    ],
    {
      cwd: setup.taskRoot,
      env: {
        PATH: process.env.PATH,
        ...functionEnv(setup),
        LAMBDA_TASK_ROOT: setup.taskRoot,
        _HANDLER: handler,
        AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${setup.node}.x`,
        AWS_LAMBDA_FUNCTION_NAME: 'rie-fn',
        AWS_LAMBDA_FUNCTION_VERSION: VERSION,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
        AWS_LAMBDA_FUNCTION_TIMEOUT: String(setup.timeoutSeconds ?? 3),
        // Lambda's NODE_PATH has the runtime's AWS SDK (the bundle leaves it out): here this checkout's.
        NODE_PATH: path.join(ROOT, 'node_modules'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let log = ''
  child.stdout!.on('data', (chunk) => (log += chunk))
  child.stderr!.on('data', (chunk) => (log += chunk))
  const url = `http://127.0.0.1:${port}`
  await untilListening(url, child, () => log)
  return {
    async invoke(event) {
      const res = await fetch(`${url}/2015-03-31/functions/function/invocations`, {
        method: 'POST',
        body: JSON.stringify(event),
      })
      const text = await res.text()
      // RIE answers a timeout with the bare message, and a failed init or exit with 502; a handler's error is a 200
      // with the runtime's error payload. Lambda's Invoke answers all of them 200 with FunctionError.
      if (/^Task timed out after /.test(text))
        return { failed: true, payload: { errorType: 'Sandbox.Timedout', errorMessage: text } }
      const payload = text === '' ? null : JSON.parse(text)
      const isError =
        payload !== null && typeof payload === 'object' && 'errorType' in payload && !('statusCode' in payload)
      return { failed: res.status !== 200 || isError, payload }
    },
    output: async () => log,
    async close() {
      child.kill('SIGKILL')
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve))
    },
  }
}

/** dev's stand-in, in a process of the same Node.js (test/helpers/stand-in-server.ts). */
async function startStandIn(setup: Setup): Promise<Runtime> {
  const timeoutMs = (setup.timeoutSeconds ?? 3) * 1000
  const config = {
    taskRoot: setup.taskRoot,
    handler: setup.handler ?? LAMBDA_HANDLER,
    options: {
      functionName: 'stand-in-fn',
      functionVersion: VERSION,
      region: 'us-east-1',
      memory: 256,
      timeoutMs,
      // RIE bounds init by the function's timeout: the same limit here, so both answer at the same time.
      initTimeoutMs: timeoutMs,
      env: functionEnv(setup),
      maxEnvironments: 1,
    },
  }
  const child = spawn(NODES[setup.node], ['--import', 'tsx', STAND_IN, JSON.stringify(config)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let log = ''
  child.stderr!.on('data', (chunk) => (log += chunk))
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (chunk) => {
      out += chunk
      const match = /listening (\d+)/.exec(out)
      if (match) resolve(Number(match[1]))
    })
    child.once('exit', (code) => reject(new Error(`the stand-in exited ${code}:\n${out}\n${log}`)))
  })
  const url = `http://127.0.0.1:${port}`
  return {
    async invoke(event) {
      const res = await fetch(`${url}/2015-03-31/functions/function/invocations`, {
        method: 'POST',
        body: JSON.stringify(event),
      })
      return { failed: res.headers.get('x-amz-function-error') === 'Unhandled', payload: await res.json() }
    },
    output: async () => `${await (await fetch(`${url}/output`)).text()}${log}`,
    async close() {
      child.stdin!.end()
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve))
    },
  }
}

/** The same function under both runtimes, each with its own @connections receiver. */
interface Pair {
  aws: Runtime
  ours: Runtime
  awsSends: Receiver
  ourSends: Receiver
  taskRoot: string
  close(): Promise<void>
}

async function startPair(node: keyof typeof NODES, setup: Omit<Setup, 'node' | 'connections'>): Promise<Pair> {
  const [awsSends, ourSends] = await Promise.all([receiver(), receiver()])
  const [awsRuntime, ourRuntime] = await Promise.all([
    startRie({ ...setup, node, connections: awsSends.endpoint }),
    startStandIn({ ...setup, node, connections: ourSends.endpoint }),
  ])
  return {
    aws: awsRuntime,
    ours: ourRuntime,
    awsSends,
    ourSends,
    taskRoot: setup.taskRoot,
    async close() {
      await Promise.all([awsRuntime.close(), ourRuntime.close(), awsSends.close(), ourSends.close()])
    },
  }
}

const REQUEST_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g

/**
 * What must be equal: the payload of a result; for an error its type, message, first trace line, and where in the
 * user's code it was thrown (the smoke test's reading, describeFailure). Paths as Lambda's /var/task, request ids
 * replaced, and a timeout's message without RIE's missing `RequestId: ... Error:` prefix.
 */
function comparable(answer: Answer, taskRoot: string): unknown {
  const payload = JSON.parse(
    JSON.stringify(answer.payload).split(taskRoot).join('/var/task').replace(REQUEST_ID, '<id>'),
  )
  if (!answer.failed) return { failed: false, payload }
  const errorMessage =
    payload?.errorType === 'Sandbox.Timedout'
      ? String(payload.errorMessage).replace(/^RequestId: \S+ Error: /, '')
      : payload?.errorMessage
  return {
    failed: true,
    errorType: payload?.errorType,
    errorMessage,
    first: payload?.trace?.[0],
    where: payload ? describeFailure({ ...payload, errorMessage }) : undefined,
  }
}

/** Forgets what both receivers got so far. */
function clearSends(pair: Pair): void {
  pair.awsSends.sends.length = 0
  pair.ourSends.sends.length = 0
}

/** Sends both events to both runtimes, one after the other; asserts equal answers; returns AWS's (comparable). */
async function same(pair: Pair, ...events: WebSocketEvent[]): Promise<any[]> {
  const answers: any[] = []
  for (const event of events) {
    const [fromAws, fromOurs] = await Promise.all([pair.aws.invoke(event), pair.ours.invoke(event)])
    const expected = comparable(fromAws, pair.taskRoot)
    assert.deepEqual(
      comparable(fromOurs, pair.taskRoot),
      expected,
      `${event.requestContext.routeKey} ${event.body ?? ''}`,
    )
    answers.push(expected)
  }
  return answers
}

const sendsOf = (r: Receiver) => r.sends.map((s) => ({ path: s.path, body: JSON.parse(s.body) }))

/** A Lambda Invoke API in front of a runtime, so the smoke test (src/aws/smoke.ts) reads its answers as it reads AWS's. */
async function invokeApi(runtime: Runtime): Promise<{ lambda: LambdaClient; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', async () => {
      const answer = await runtime.invoke(JSON.parse(body))
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-amz-executed-version': VERSION,
        ...(answer.failed && { 'x-amz-function-error': 'Unhandled' }),
      })
      res.end(JSON.stringify(answer.payload))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const lambda = new LambdaClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  })
  return {
    lambda,
    close: async () => {
      lambda.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

async function smokeOf(runtime: Runtime): Promise<string> {
  const api = await invokeApi(runtime)
  try {
    const target = { functionName: 'function', qualifier: VERSION, codeSha256: '' }
    const report = await smokeTestVersion(api.lambda, target, {
      region: 'us-east-1',
      stage: 'prod',
      message: { body: '{"route":"ping"}', expect: 'pong' },
    })
    return `passed: ${report.steps.map((s) => `${s.step} ${s.statusCode}`).join(', ')}`
  } catch (error) {
    if (error instanceof SmokeTestError) return `failed at ${error.step}: ${error.message}`
    throw error
  } finally {
    await api.close()
  }
}

// ---- the cases, per Node.js version ------------------------------------------------------------------------------

for (const node of [24, 22] as const) {
  describe(`Node ${node}: the deployed zip under aws-lambda-rie + aws-lambda-ric and under dev's stand-in`, () => {
    let good: Pair
    before(async () => {
      const tools: Array<[string, string]> = [
        ['aws-lambda-rie', RIE],
        ['aws-lambda-ric', RIC],
        [`Node ${node}`, NODES[node]],
      ]
      for (const [what, file] of tools)
        assert.ok(existsSync(file), `${what} is not installed (${file} is missing): ${INSTALL}`)
      good = await startPair(node, { taskRoot: roots.good })
    })
    after(() => good?.close())

    test("AWS's $connect, message, default route and $disconnect events, and a handler that throws", async () => {
      clearSends(good)
      const [connect, routed, fallback, thrown, disconnect] = await same(
        good,
        CONNECT,
        message('{"route":"event"}'),
        message('hello there'),
        message('{"route":"boom"}'),
        DISCONNECT,
      )
      assert.deepEqual(connect, { failed: false, payload: { statusCode: 200, body: 'room lobby' } })
      assert.deepEqual(routed, { failed: false, payload: { statusCode: 200 } })
      assert.deepEqual(fallback, { failed: false, payload: { statusCode: 200, body: 'default got "hello there"' } })
      assert.deepEqual(thrown, {
        failed: true,
        errorType: 'TypeError',
        errorMessage: 'boom in a handler',
        first: 'TypeError: boom in a handler',
        where: 'TypeError: boom in a handler at socket.js:14:9',
      })
      assert.deepEqual(disconnect, {
        failed: false,
        payload: { statusCode: 200, body: '{"statusCode":1005,"reason":"Client-side close frame status not set"}' },
      })
      // The awaited send, with the version invoked (AWS_LAMBDA_FUNCTION_VERSION), then the default route's unawaited
      // one: the stand-in holds it until its next event (boom) thaws the environment (the next test's subject).
      const sent = [
        { path: '/prod/@connections/BBBBBBBBBBBBBBB=', body: { echo: 'event', version: VERSION } },
        { path: '/prod/@connections/BBBBBBBBBBBBBBB=', body: { late: 'hello there' } },
      ]
      await until(() => good.awsSends.sends.length >= 2 && good.ourSends.sends.length >= 2, 'the sends')
      assert.deepEqual(sendsOf(good.awsSends), sent)
      assert.deepEqual(sendsOf(good.ourSends), sent)
    })

    test("a send the handler did not await: neither runtime waits for it; AWS's emulator sends it at once, the stand-in when its frozen environment thaws", async () => {
      clearSends(good)
      const [answer] = await same(good, message('"not awaited"'))
      assert.deepEqual(answer, { failed: false, payload: { statusCode: 200, body: 'default got "not awaited"' } })
      const late = { path: '/prod/@connections/BBBBBBBBBBBBBBB=', body: { late: 'not awaited' } }
      // RIE does not freeze the process between events (it emulates no orchestration): the send goes out right away.
      await until(() => good.awsSends.sends.length >= 1, "RIE's unawaited send")
      assert.deepEqual(sendsOf(good.awsSends), [late])
      // Lambda freezes the environment when the handler returns; the stand-in does, so the send waits for the next
      // event, as on Lambda (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
      await sleep(500)
      assert.equal(good.ourSends.sends.length, 0)
      const thawed = Date.now()
      await same(good, CONNECT)
      // It goes on while the environment runs an event (more than one, if its request needs more time than one lasts).
      for (let i = 0; i < 10 && good.ourSends.sends.length === 0; i++) {
        await sleep(100)
        assert.equal((await good.ours.invoke(CONNECT)).failed, false)
      }
      await until(() => good.ourSends.sends.length >= 1, "the stand-in's send after the next event")
      assert.deepEqual(sendsOf(good.ourSends), [late])
      assert.ok(good.ourSends.sends[0]!.at >= thawed)
      // Both runtimes ran the same warning of the runtime (runtime/handler.ts) when the handler returned.
      for (const runtime of [good.aws, good.ours])
        assert.match(await runtime.output(), /socket\.send\(\) in the "default" handler was not awaited/)
    })

    test('process.exit in a handler: Runtime.ExitError with the request id and no trace; the next event gets a fresh environment', async () => {
      const [exited, next] = await same(good, message('{"route":"exit"}'), CONNECT)
      assert.deepEqual(exited, {
        failed: true,
        errorType: 'Runtime.ExitError',
        errorMessage: 'RequestId: <id> Error: Runtime exited with error: exit status 3',
        first: undefined,
        where: 'Runtime.ExitError: RequestId: <id> Error: Runtime exited with error: exit status 3',
      })
      assert.deepEqual(next, { failed: false, payload: { statusCode: 200, body: 'room lobby' } })
    })

    test("the smoke test passes a good version under AWS's runtime and under the stand-in", async () => {
      for (const runtime of [good.aws, good.ours])
        assert.equal(await smokeOf(runtime), 'passed: $connect 200, message 200, $disconnect 200')
    })

    test('a wrong handler name (the export is not there): Runtime.HandlerNotFound at init, which the smoke test calls a load failure', async () => {
      const broken = await startPair(node, { taskRoot: roots.good, handler: 'index.handle' })
      try {
        const [first, again] = await same(broken, CONNECT, CONNECT)
        const notFound = {
          failed: true,
          errorType: 'Runtime.HandlerNotFound',
          errorMessage: 'index.handle is undefined or not exported',
          first: 'Runtime.HandlerNotFound: index.handle is undefined or not exported',
          where:
            'Runtime.HandlerNotFound: index.handle is undefined or not exported while the function was loading (every event fails)',
        }
        assert.deepEqual(first, notFound)
        assert.deepEqual(again, notFound)
        for (const runtime of [broken.aws, broken.ours])
          assert.equal(
            await smokeOf(runtime),
            'failed at $connect: smoke test of version 7 failed: $connect threw Runtime.HandlerNotFound: index.handle is undefined or not exported while the function was loading (every event fails)',
          )
      } finally {
        await broken.close()
      }
    })

    test('a throw while socket.js loads: the error as thrown, with its socket.js line, at every event (init runs again)', async () => {
      const pair = await startPair(node, { taskRoot: roots.throwsAtImport })
      try {
        const [first, again] = await same(pair, CONNECT, CONNECT)
        const thrown = {
          failed: true,
          errorType: 'Error',
          errorMessage: 'boom at import',
          first: 'Error: boom at import',
          where: 'Error: boom at import at socket.js:3:7 while the function was loading (every event fails)',
        }
        assert.deepEqual(first, thrown)
        assert.deepEqual(again, thrown)
      } finally {
        await pair.close()
      }
    })

    test('a module that is not there: Runtime.ImportModuleError, its message the original error', async () => {
      const pair = await startPair(node, { taskRoot: roots.missingModule })
      try {
        const [answer] = await same(pair, CONNECT)
        const original =
          "Error: Cannot find module '@aws-sdk/client-not-a-real-service'\nRequire stack:\n- /var/task/bundle.js"
        assert.deepEqual(answer, {
          failed: true,
          errorType: 'Runtime.ImportModuleError',
          errorMessage: original,
          first: `Runtime.ImportModuleError: ${original.split('\n')[0]}`,
          where: `Runtime.ImportModuleError: ${original} while the function was loading (every event fails)`,
        })
      } finally {
        await pair.close()
      }
    })

    test('an ES module handler (index.mjs) runs under both', async () => {
      const pair = await startPair(node, { taskRoot: roots.esModule })
      try {
        assert.deepEqual(await same(pair, CONNECT), [
          { failed: false, payload: { statusCode: 200, body: 'ES module got CONNECT' } },
        ])
      } finally {
        await pair.close()
      }
    })

    test("an init that never ends: answered as the function's timeout (RIE bounds init by it)", async () => {
      const pair = await startPair(node, { taskRoot: roots.neverLoads, timeoutSeconds: 1 })
      try {
        const [answer] = await same(pair, CONNECT)
        assert.deepEqual(answer, {
          failed: true,
          errorType: 'Sandbox.Timedout',
          errorMessage: 'Task timed out after 1.00 seconds',
          first: undefined,
          where: 'Sandbox.Timedout: Task timed out after 1.00 seconds',
        })
      } finally {
        await pair.close()
      }
    })
  })
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`never happened: ${what}`)
    await sleep(20)
  }
}
