// A local stand-in for the Lambda function behind the gateway: runs the deployable bundle in a worker thread,
// enforces the timeout, and swaps in a rebuilt bundle without disturbing the gateway's connections.
import { createRequire } from 'node:module'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import type { ProxyResult, WebSocketEvent } from '../../runtime/types.ts'

export type Invocation =
  | { ok: true; result: unknown; ms: number }
  | { ok: false; reason: 'error' | 'timeout' | 'init'; error: { name: string; message: string; stack?: string }; ms: number }

export interface Invoke {
  (event: WebSocketEvent, timeoutMs: number): Promise<Invocation>
}

export interface LocalLambdaOptions {
  functionName: string
  /** Folder the bundle pretends to live in (the code folder), so user-installed packages stay resolvable. */
  codeDir: string
  region: string
  memory: number
  /** `env` from serverless.yml. */
  env: Record<string, string>
  /** Where to print what the function writes to stderr on init failure. */
  log?: (line: string) => void
}

// Variables of the developer's shell that a Lambda function would also have (credentials come from its role there).
const PASSED_THROUGH = ['PATH', 'HOME', 'LANG', 'TZ', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE']

/** Where this package's own AWS SDK lives: the stand-in for the SDK the Lambda runtime ships. */
function sdkSearchPaths(): string[] {
  const require = createRequire(import.meta.url)
  const entry = require.resolve('@aws-sdk/client-apigatewaymanagementapi')
  const marker = `${path.sep}node_modules${path.sep}`
  return [entry.slice(0, entry.lastIndexOf(marker) + marker.length - 1)]
}

export function lambdaEnvironment(options: LocalLambdaOptions, parent: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {}
  for (const name of PASSED_THROUGH) if (parent[name] !== undefined) env[name] = parent[name]!
  // The @connections client signs its requests; the local gateway does not check signatures.
  if (!env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE) {
    env.AWS_ACCESS_KEY_ID = 'local'
    env.AWS_SECRET_ACCESS_KEY = 'local'
  }
  Object.assign(env, options.env, {
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    AWS_LAMBDA_FUNCTION_NAME: options.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memory),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_EXECUTION_ENV: 'socket-action-dev',
    // The SDK warns on Node.js < 22; Lambda runs 22 or 24, so the warning would only ever be a local artifact.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  })
  return env
}

interface Pending {
  resolve: (message: { type: 'result' | 'error'; result?: unknown; error?: { name: string; message: string; stack?: string } }) => void
}

class Environment {
  readonly worker: Worker
  readonly ready: Promise<{ name: string; message: string; stack?: string } | undefined>
  private nextId = 0
  private readonly pending = new Map<number, Pending>()
  initError: { name: string; message: string; stack?: string } | undefined

  constructor(code: string, options: LocalLambdaOptions) {
    this.worker = new Worker(new URL('./lambda-worker.js', import.meta.url), {
      workerData: {
        code,
        filename: path.join(options.codeDir, 'index.js'),
        sdkPaths: sdkSearchPaths(),
        functionName: options.functionName,
      },
      env: lambdaEnvironment(options),
      execArgv: [], // not the CLI's flags (tsx's --import in tests turns source maps on): the worker enables its own
      resourceLimits: { maxOldGenerationSizeMb: Math.max(64, options.memory) },
    })
    this.worker.unref()
    this.ready = new Promise((resolve) => {
      this.worker.on('message', (message) => {
        if (message.type === 'ready') resolve(undefined)
        else if (message.type === 'init-error') {
          this.initError = message.error
          resolve(message.error)
        } else {
          const pending = this.pending.get(message.id)
          this.pending.delete(message.id)
          pending?.resolve(message)
        }
      })
      const fail = (error: Error) => {
        this.initError ??= { name: error.name, message: error.message, stack: error.stack }
        resolve(this.initError)
        for (const [id, pending] of this.pending) {
          this.pending.delete(id)
          pending.resolve({ type: 'error', error: { name: 'Runtime.ExitError', message: `the function's environment exited: ${error.message}` } })
        }
      }
      this.worker.on('error', fail)
      this.worker.on('exit', (code) => fail(new Error(`exit code ${code}`)))
    })
  }

  get inFlight(): number {
    return this.pending.size
  }

  call(event: WebSocketEvent, deadline: number): { id: number; done: Promise<Parameters<Pending['resolve']>[0]> } {
    const id = this.nextId++
    const done = new Promise<Parameters<Pending['resolve']>[0]>((resolve) => this.pending.set(id, { resolve }))
    this.worker.postMessage({ type: 'invoke', id, event, deadline })
    return { id, done }
  }

  forget(id: number): void {
    this.pending.delete(id)
  }

  async stop(): Promise<void> {
    await this.worker.terminate()
  }
}

export class LocalLambda {
  private current: Environment
  private code: string
  private readonly retired = new Set<Environment>()

  constructor(code: string, private options: LocalLambdaOptions) {
    this.code = code
    this.current = new Environment(code, options)
    void this.reportInit(this.current)
  }

  private async reportInit(env: Environment): Promise<void> {
    const error = await env.ready
    if (error) this.options.log?.(`function failed to initialize: ${error.stack ?? `${error.name}: ${error.message}`}`)
  }

  /** Waits until the current environment has loaded the handler; resolves to its init error, if any. */
  ready(): Promise<unknown> {
    return this.current.ready
  }

  /** Loads a rebuilt bundle (or new settings) into a new environment; invocations already running finish in the old one. */
  async swap(code: string, options: LocalLambdaOptions = this.options): Promise<void> {
    this.options = options
    const next = new Environment(code, options)
    await this.reportInit(next)
    const previous = this.current
    this.current = next
    this.code = code
    this.retire(previous)
  }

  private retire(env: Environment): void {
    this.retired.add(env)
    const check = setInterval(() => {
      if (env.inFlight === 0) {
        clearInterval(check)
        this.retired.delete(env)
        void env.stop()
      }
    }, 100)
    check.unref()
  }

  invoke: Invoke = async (event, timeoutMs) => {
    const started = performance.now()
    const env = this.current
    await env.ready
    const ms = () => Math.round((performance.now() - started) * 10) / 10
    if (env.initError) return { ok: false, reason: 'init', error: env.initError, ms: ms() }
    const { id, done } = env.call(event, Date.now() + timeoutMs)
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs)
    })
    const outcome = await Promise.race([done, timedOut])
    clearTimeout(timer)
    if (outcome === 'timeout') {
      env.forget(id)
      this.replaceAfterTimeout(env)
      return { ok: false, reason: 'timeout', error: { name: 'Sandbox.Timedout', message: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` }, ms: ms() }
    }
    if (outcome.type === 'error') return { ok: false, reason: 'error', error: outcome.error!, ms: ms() }
    return { ok: true, result: outcome.result, ms: ms() }
  }

  /** Lambda resets an execution environment after a timeout; the handler may still be running (or stuck) in it. */
  private replaceAfterTimeout(env: Environment): void {
    if (env !== this.current) return
    this.options.log?.('function timed out: starting a fresh environment, as Lambda does')
    this.current = new Environment(this.code, this.options)
    void this.reportInit(this.current)
    this.retire(env)
  }

  async close(): Promise<void> {
    await Promise.all([this.current.stop(), ...[...this.retired].map((e) => e.stop())])
  }
}

export type { ProxyResult }
