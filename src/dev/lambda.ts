// A local stand-in for the Lambda function behind the gateway. Like Lambda, it runs the deployable bundle in execution
// environments (worker threads) that take one event at a time, are frozen between events, start more when all are
// busy, time out, run out of memory, and are replaced when they die; a rebuilt bundle is swapped in without disturbing
// the gateway's connections.
import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { REGISTRY_URL_VARIABLE } from '../../runtime/connection-registry.ts'
import { ENDPOINT_VARIABLE } from '../../runtime/connections.ts'
import type { ProxyResult, WebSocketEvent } from '../../runtime/types.ts'

export interface FunctionError {
  name: string
  message: string
  stack?: string
  /**
   * Reported by the Lambda service itself, not thrown by the function's code (an exit, a timeout, out of memory):
   * its payload is `RequestId: <id> Error: <message>` without a trace, as AWS's answers are.
   */
  platform?: boolean
  /** dev's own advice, shown in its log after the message; never part of what Lambda would answer. */
  hint?: string
}

export type Invocation = (
  | { ok: true; result: unknown; ms: number }
  | { ok: false; reason: 'error' | 'timeout' | 'init'; error: FunctionError; ms: number }
) & {
  /** Lambda's request id of the invocation (not API Gateway's), when it reached an environment. */
  requestId?: string
}

/** Runs one event; `integrationTimeoutMs` bounds the whole call (queue, init and run), as API Gateway's timeout does. */
export type Invoke = (event: WebSocketEvent, integrationTimeoutMs: number) => Promise<Invocation>

/**
 * What an environment loads: the bundle's text (dev), or a deployment package unpacked in `taskRoot` and the Lambda
 * handler string (`index.handler`), loaded as the Lambda Node.js runtime loads it (ES modules included).
 */
export type LambdaCode = string | { taskRoot: string; handler: string }

export interface LocalLambdaOptions {
  functionName: string
  /** The version invoked (`AWS_LAMBDA_FUNCTION_VERSION`, the context's functionVersion); `$LATEST` by default. */
  functionVersion?: string
  /** Folder the bundle pretends to live in (the code folder), so user-installed packages stay resolvable. */
  codeDir: string
  /** The user's handler file as shown in messages (e.g. `socket.js`). */
  handlerName?: string
  region: string
  memory: number
  /** The function's own timeout (serverless.yml `timeout`), counted from when an environment starts the event. */
  timeoutMs: number
  /** `env` from serverless.yml. */
  env: Record<string, string>
  /** The local gateway's @connections endpoint (`http://host:port/{stage}`), where the runtime sends. */
  connectionsEndpoint?: string
  /** The local gateway's connection registry (`http://host:port/{stage}/@registry`), when serverless.yml has one. */
  registryEndpoint?: string
  /** Lambda's init phase limit: 10 s. An init that takes longer is answered as the function's timeout. */
  initTimeoutMs?: number
  /** Most environments running at once; further events wait for one (Lambda's concurrency limit, small for a laptop). */
  maxEnvironments?: number
  /** Most events waiting for an environment; more are throttled at once (Lambda throttles at its limit). */
  maxQueued?: number
  /** Gateway-side messages: init failures, environments replaced. */
  log?: (line: string) => void
  /**
   * What the function writes to stdout and stderr; the process's own streams by default. `during` is the event the
   * environment was running when it wrote (none at init, or from a timer that fired between events).
   */
  output?: (stream: 'stdout' | 'stderr', text: string, during?: EventTag) => void
}

/** Which event an environment is running: the connection, the route key and Lambda's request id. */
export interface EventTag {
  connectionId: string
  routeKey: string
  requestId: string
}

export const INIT_TIMEOUT_MS = 10_000
export const MAX_ENVIRONMENTS = 10
/** Events that may wait per environment allowed: a bound on what a flood of frames holds in memory. */
export const QUEUED_PER_ENVIRONMENT = 100

// Variables of the developer's shell that a Lambda function would also have (credentials come from its role there).
const PASSED_THROUGH = [
  'PATH',
  'HOME',
  'LANG',
  'TZ',
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
]

/** Where this package's own AWS SDK lives: the stand-in for the SDK the Lambda runtime ships. */
function sdkSearchPaths(): string[] {
  const require = createRequire(import.meta.url)
  const entry = require.resolve('@aws-sdk/client-apigatewaymanagementapi')
  const marker = `${path.sep}node_modules${path.sep}`
  return [entry.slice(0, entry.lastIndexOf(marker) + marker.length - 1)]
}

export function lambdaEnvironment(
  options: LocalLambdaOptions,
  parent: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const name of PASSED_THROUGH) if (parent[name] !== undefined) env[name] = parent[name]!
  // The @connections client signs its requests; the local gateway does not check signatures.
  if (!env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE) {
    env.AWS_ACCESS_KEY_ID = 'local'
    env.AWS_SECRET_ACCESS_KEY = 'local'
  }
  const version = options.functionVersion ?? '$LATEST'
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/')
  Object.assign(env, options.env, {
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    AWS_LAMBDA_FUNCTION_NAME: options.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memory),
    AWS_LAMBDA_FUNCTION_VERSION: version,
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${options.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${day}/[${version}]${randomUUID().replaceAll('-', '')}`,
    AWS_EXECUTION_ENV: 'socket-action-dev',
    // The SDK warns on Node.js < 22; Lambda runs 22 or 24, so the warning would only ever be a local artifact.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  })
  if (options.connectionsEndpoint) env[ENDPOINT_VARIABLE] = options.connectionsEndpoint
  if (options.registryEndpoint) env[REGISTRY_URL_VARIABLE] = options.registryEndpoint
  return env
}

interface WorkerReply {
  type: 'result' | 'error'
  result?: unknown
  error?: FunctionError
}

/** A promise that resolves at `epochMs`, and its cancel (so thousands of events leave no timers behind). */
function deadlineTimer(epochMs: number): { passed: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined
  const passed = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, epochMs - Date.now()))
  })
  return { passed, cancel: () => clearTimeout(timer) }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} seconds`

/** The payload of a Lambda Invoke that failed: the runtime's serialization of the error, as AWS's answers are. */
export interface FailurePayload {
  errorType: string
  errorMessage: string
  trace?: string[]
}

/**
 * What Lambda's Invoke answers for an invocation: the result, or (with FunctionError `Unhandled`) the error. Paths
 * under `taskRoot` are shown as Lambda's /var/task.
 */
export function invocationPayload(
  outcome: Invocation,
  taskRoot?: string,
): { functionError: false; payload: unknown } | { functionError: true; payload: FailurePayload } {
  if (outcome.ok) return { functionError: false, payload: outcome.result ?? null }
  const asTaskRoot = (text: string) => (taskRoot ? text.split(taskRoot).join('/var/task') : text)
  const { error } = outcome
  if (error.platform) {
    const errorMessage = `${outcome.requestId ? `RequestId: ${outcome.requestId} ` : ''}Error: ${error.message}`
    return { functionError: true, payload: { errorType: error.name, errorMessage } }
  }
  return {
    functionError: true,
    payload: {
      errorType: error.name,
      errorMessage: asTaskRoot(error.message),
      trace: asTaskRoot(error.stack ?? `${error.name}: ${error.message}`).split('\n'),
    },
  }
}

/** `Name: message (hint)`: an error as dev's log shows it. */
export function describeError(error: FunctionError): string {
  return `${error.stack ?? `${error.name}: ${error.message}`}${error.hint ? ` (${error.hint})` : ''}`
}

/** One execution environment: a worker thread that loads the bundle once and then takes one event at a time. */
class Environment {
  readonly worker: Worker
  /** Resolves to the init error, or undefined once the handler is loaded. */
  readonly ready: Promise<FunctionError | undefined>
  initError: FunctionError | undefined
  busy = false
  dead = false
  /** The routes the loaded socket.js registered (runtime/global.ts); empty until loaded. */
  routes: string[] = []
  /** The event being run, which what the function writes belongs to. */
  private current: EventTag | undefined
  /** Set when a newer bundle replaced this one: stop after the current event. */
  retired = false
  private readonly gate = new Int32Array(new SharedArrayBuffer(4))
  private pending: ((reply: WorkerReply) => void) | undefined
  private nextId = 0

  constructor(code: LambdaCode, options: LocalLambdaOptions, onDeath: (env: Environment) => void) {
    const handlerName = options.handlerName ?? 'socket.js'
    const functionVersion = options.functionVersion ?? '$LATEST'
    const arn = `arn:aws:lambda:${options.region}:000000000000:function:${options.functionName}`
    this.worker = new Worker(new URL('./lambda-worker.js', import.meta.url), {
      workerData: {
        code,
        filename: path.join(options.codeDir, 'index.js'),
        sdkPaths: sdkSearchPaths(),
        functionName: options.functionName,
        functionVersion,
        invokedFunctionArn: functionVersion === '$LATEST' ? arn : `${arn}:${functionVersion}`,
        memoryMb: options.memory,
        gate: this.gate.buffer,
      },
      env: lambdaEnvironment(options),
      // The V8 heap part of `memory`; the worker itself checks Buffers and ArrayBuffers against the rest.
      execArgv: [], // not the CLI's flags (tsx's --import in tests turns source maps on): the worker enables its own
      resourceLimits: { maxOldGenerationSizeMb: Math.max(64, options.memory) },
      stdout: true,
      stderr: true,
    })
    const output = options.output ?? ((stream, text) => process[stream].write(text))
    this.worker.stdout.on('data', (chunk: Buffer) => output('stdout', chunk.toString(), this.current))
    this.worker.stderr.on('data', (chunk: Buffer) => output('stderr', chunk.toString(), this.current))
    this.worker.unref()

    let settle!: (error: FunctionError | undefined) => void
    this.ready = new Promise((resolve) => (settle = resolve))
    const initTimeoutMs = options.initTimeoutMs ?? INIT_TIMEOUT_MS
    const initTimer = setTimeout(() => {
      // Lambda answers an init that never ends as the function's timeout (it runs init again within the event, bound
      // by the function's timeout, and the Runtime Interface Emulator bounds init by the timeout alone).
      this.initError = {
        name: 'Sandbox.Timedout',
        message: `Task timed out after ${seconds(options.timeoutMs)}`,
        platform: true,
        hint: `${handlerName} did not finish loading in ${seconds(initTimeoutMs)}, Lambda's init phase limit: look for a loop or a long wait at the top level of ${handlerName}`,
      }
      settle(this.initError)
      this.kill(onDeath)
    }, initTimeoutMs)
    initTimer.unref()

    this.worker.on(
      'message',
      (
        message: {
          type: WorkerReply['type'] | 'ready' | 'init-error' | 'output'
          fatal?: boolean
          routes?: string[]
          stream?: 'stdout' | 'stderr'
          text?: string
        } & Omit<WorkerReply, 'type'>,
      ) => {
        if (message.type === 'output') {
          output(message.stream!, message.text!, this.current)
        } else if (message.type === 'ready') {
          clearTimeout(initTimer)
          this.routes = message.routes ?? []
          settle(undefined)
        } else if (message.type === 'init-error') {
          clearTimeout(initTimer)
          this.initError = message.error
          settle(message.error)
          this.kill(onDeath)
        } else {
          const pending = this.pending
          this.pending = undefined
          this.current = undefined
          pending?.(message as WorkerReply)
          if (message.fatal) this.kill(onDeath)
        }
      },
    )
    const died = (error: FunctionError) => {
      clearTimeout(initTimer)
      this.initError ??= error
      settle(this.initError)
      const pending = this.pending
      this.pending = undefined
      this.current = undefined
      pending?.({ type: 'error', error })
      this.kill(onDeath)
    }
    this.worker.on('error', (error: Error & { code?: string }) =>
      died(
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? {
              name: 'Runtime.OutOfMemory',
              message: 'Runtime exited with error: signal: killed',
              platform: true,
              hint: `over the function's ${options.memory} MB`,
            }
          : { name: error.name, message: error.message, stack: error.stack },
      ),
    )
    this.worker.on('exit', (code) =>
      died(
        this.dead
          ? { name: 'Runtime.Stopped', message: 'the environment was stopped (shutdown, timeout or a newer bundle)' }
          : {
              name: 'Runtime.ExitError',
              message: `Runtime exited with error: exit status ${code}`,
              platform: true,
              hint: `process.exit(${code}) in ${handlerName} or a dependency?`,
            },
      ),
    )
  }

  /** Thaws the environment and runs one event in it. */
  run(event: WebSocketEvent, deadline: number, requestId: string): Promise<WorkerReply> {
    const done = new Promise<WorkerReply>((resolve) => (this.pending = resolve))
    // An Invoke through the test bed's shim may carry any payload, not only API Gateway's events.
    const context = (event as Partial<WebSocketEvent>).requestContext
    this.current = context ? { connectionId: context.connectionId, routeKey: context.routeKey, requestId } : undefined
    Atomics.add(this.gate, 0, 1)
    Atomics.notify(this.gate, 0)
    this.worker.postMessage({ type: 'invoke', id: this.nextId++, event, deadline, requestId })
    return done
  }

  kill(onDeath?: (env: Environment) => void): void {
    if (this.dead) return
    this.dead = true
    void this.worker.terminate()
    onDeath?.(this)
  }
}

interface Waiter {
  take: (env: Environment) => void
  cancel: () => void
}

export class LocalLambda {
  private code: LambdaCode
  /** Environments of the current bundle. */
  private readonly environments = new Set<Environment>()
  /** Environments of replaced bundles still finishing an event. */
  private readonly retired = new Set<Environment>()
  private readonly waiters: Waiter[] = []
  private warm: Environment
  private closed = false

  constructor(
    code: LambdaCode,
    private options: LocalLambdaOptions,
  ) {
    this.code = code
    this.warm = this.spawn()
  }

  /** Waits until the first environment has loaded the handler; resolves to its init error, if any. */
  ready(): Promise<unknown> {
    return this.warm.ready
  }

  private spawn(code = this.code, options = this.options): Environment {
    const env = new Environment(code, options, (dead) => this.onDeath(dead))
    this.environments.add(env)
    void env.ready.then((error) => {
      if (error && !this.closed) this.options.log?.(`function failed to initialize: ${describeError(error)}`)
    })
    return env
  }

  private onDeath(env: Environment): void {
    this.environments.delete(env)
    this.retired.delete(env)
    this.pump()
  }

  /** Hands free environments (or new ones, up to the limit) to waiting events, oldest event first. */
  private pump(): void {
    if (this.closed) return
    const limit = this.options.maxEnvironments ?? MAX_ENVIRONMENTS
    while (this.waiters.length > 0) {
      let env = [...this.environments].find((e) => !e.busy && !e.dead)
      // Environments of a replaced bundle still finishing an event count too.
      if (!env && this.environments.size + this.retired.size < limit) env = this.spawn()
      if (!env) return
      env.busy = true
      this.waiters.shift()!.take(env)
    }
  }

  private release(env: Environment): void {
    env.busy = false
    if (env.retired) {
      env.kill()
      this.retired.delete(env)
    }
    this.pump()
  }

  /** An environment for one event, or undefined when none came free before `deadline`. */
  private acquire(deadline: number): Promise<Environment | undefined | 'throttled'> {
    const limit = this.options.maxQueued ?? QUEUED_PER_ENVIRONMENT * (this.options.maxEnvironments ?? MAX_ENVIRONMENTS)
    if (this.waiters.length >= limit) return Promise.resolve('throttled')
    return new Promise((resolve) => {
      const waiter: Waiter = {
        take: (env) => {
          clearTimeout(timer)
          resolve(env)
        },
        cancel: () => {
          clearTimeout(timer)
          resolve(undefined)
        },
      }
      const timer = setTimeout(
        () => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1)
          resolve(undefined)
        },
        Math.max(0, deadline - Date.now()),
      )
      this.waiters.push(waiter)
      this.pump()
    })
  }

  /** Loads a rebuilt bundle (or new settings) into a new environment; events already running finish in the old ones. */
  async swap(code: LambdaCode, options: LocalLambdaOptions = this.options): Promise<void> {
    const next = new Environment(code, options, (dead) => this.onDeath(dead))
    const error = await next.ready
    if (this.closed) {
      next.kill()
      return
    }
    if (error) this.options.log?.(`function failed to initialize: ${describeError(error)}`)
    this.code = code
    this.options = options
    for (const env of this.environments) {
      this.environments.delete(env)
      if (env.busy) {
        env.retired = true
        this.retired.add(env)
      } else env.kill()
    }
    if (!next.dead) this.environments.add(next)
    this.warm = next
    this.pump()
  }

  invoke: Invoke = async (event, integrationTimeoutMs) => {
    // Lambda's own id of the invocation: the context's awsRequestId, and the RequestId of the service's own errors.
    const requestId = randomUUID()
    return { ...(await this.invokeAs(requestId, event, integrationTimeoutMs)), requestId }
  }

  private async invokeAs(requestId: string, event: WebSocketEvent, integrationTimeoutMs: number): Promise<Invocation> {
    const started = performance.now()
    const ms = () => Math.round((performance.now() - started) * 10) / 10
    const integrationDeadline = Date.now() + integrationTimeoutMs
    const integrationTimeout = (): Invocation => ({
      ok: false,
      reason: 'timeout',
      error: {
        name: 'IntegrationTimeout',
        message: `Endpoint request timed out: no answer within API Gateway's ${seconds(integrationTimeoutMs)}`,
      },
      ms: ms(),
    })
    const shutdown = (): Invocation => ({
      ok: false,
      reason: 'error',
      error: { name: 'Runtime.Shutdown', message: 'socket-action dev is shutting down' },
      ms: ms(),
    })
    if (this.closed) return shutdown()
    const env = await this.acquire(integrationDeadline)
    if (env === 'throttled') {
      const error = {
        name: 'TooManyRequestsException',
        message:
          'Rate Exceeded: every execution environment is busy and too many events are waiting (raise --concurrency)',
      }
      return { ok: false, reason: 'error', error, ms: ms() }
    }
    if (!env) return this.closed ? shutdown() : integrationTimeout()
    // A cold start counts against API Gateway's timeout too; the event still runs after it, as on Lambda.
    const initDeadline = deadlineTimer(integrationDeadline)
    const late = await Promise.race([env.ready.then(() => false), initDeadline.passed.then(() => true)])
    initDeadline.cancel()
    const initError = await env.ready
    if (initError) {
      // Lambda runs init again in a fresh environment for the next event; this one is gone.
      this.release(env)
      return { ok: false, reason: 'init', error: initError, ms: ms() }
    }
    // The function's timeout starts when its environment starts the event: time spent queued does not count.
    const timeoutMs = this.options.timeoutMs
    const reply = env.run(event, Date.now() + timeoutMs, requestId)
    let functionTimer: NodeJS.Timeout | undefined
    const timedOut = new Promise<'timeout'>((resolve) => {
      functionTimer = setTimeout(() => resolve('timeout'), timeoutMs)
    })
    const finished = Promise.race([reply, timedOut]).then((outcome) => {
      clearTimeout(functionTimer)
      if (outcome === 'timeout') {
        // Lambda resets an environment after a timeout; the handler may still be running (or stuck) in it.
        this.options.log?.('function timed out: starting a fresh environment for the next event, as Lambda does')
        env.kill()
        this.onDeath(env)
      } else if (!env.dead) this.release(env)
      return outcome
    })
    let integrationTimer: NodeJS.Timeout | undefined
    const integrationOver = new Promise<'integration'>((resolve) => {
      integrationTimer = setTimeout(() => resolve('integration'), Math.max(0, integrationDeadline - Date.now()))
    })
    const outcome = late ? 'integration' : await Promise.race([finished, integrationOver])
    clearTimeout(integrationTimer)
    // API Gateway stops waiting; the function runs on to its own end or timeout, holding its environment.
    if (outcome === 'integration') return integrationTimeout()
    if (outcome === 'timeout') {
      return {
        ok: false,
        reason: 'timeout',
        error: { name: 'Sandbox.Timedout', message: `Task timed out after ${seconds(timeoutMs)}`, platform: true },
        ms: ms(),
      }
    }
    if (outcome.type === 'error') return { ok: false, reason: 'error', error: outcome.error!, ms: ms() }
    return { ok: true, result: outcome.result, ms: ms() }
  }

  /** The routes socket.js registered, as the newest loaded bundle has them (the playground offers them). */
  get routes(): string[] {
    return this.warm.routes
  }

  /** How many environments exist now (for tests and the bench). */
  get environmentCount(): number {
    return this.environments.size
  }

  async close(): Promise<void> {
    this.closed = true
    for (const waiter of this.waiters.splice(0)) waiter.cancel()
    const all = [...this.environments, ...this.retired]
    this.environments.clear()
    this.retired.clear()
    for (const env of all) env.dead = true
    await Promise.all(all.map((env) => env.worker.terminate()))
  }
}

export type { ProxyResult }
