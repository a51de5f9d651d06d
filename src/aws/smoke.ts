// The smoke test of a published version, before any traffic moves to it: invoke that version directly (Lambda Invoke
// with its number as Qualifier) with the events API Gateway would send for one short connection ($connect, an optional
// message, $disconnect), and check the answers. The events carry a marker API Gateway never sends, so the runtime
// records what the handler sends instead of posting it to a client (runtime/smoke.ts).
import { InvokeCommand, type InvokeCommandOutput, type LambdaClient } from '@aws-sdk/client-lambda'
import { SMOKE_MARKER, type SmokeResult, type SmokeSend } from '../../runtime/smoke.ts'
import type { WebSocketEvent } from '../../runtime/types.ts'
import { stackOrigin } from '../bundle/sourcemap.ts'
import { BUNDLE_FILE, HANDLER_FILE } from '../bundle/build.ts'
import {
  type ApiFacts,
  type ConnectionFacts,
  connectEvent,
  connectionId,
  disconnectEvent,
  messageEvent,
} from '../dev/events.ts'
import { credentialInputs } from '../config/smoke-headers.ts'
import { redact } from '../secrets.ts'
import { explainAwsError, isNotReadyToInvoke } from './errors.ts'
import { retry, type Sleep } from './retry.ts'

/** The version to test: the function, the version number PublishVersion gave, and the code it should run. */
export interface SmokeTarget {
  functionName: string
  qualifier: string
  codeSha256: string
}

/** A message to send after $connect (serverless.yml `smoke`), and text its reply must contain. */
export interface SmokeMessage {
  body: string
  expect: string
}

export interface SmokeOptions {
  region: string
  stage: string
  message?: SmokeMessage
  /** Bound on the whole test (every invocation, cold start included); default 60 s. */
  timeoutMs?: number
  /** The API the events claim to come from (default: a made-up id; the runtime sends nowhere during the test). */
  apiId?: string
  /** Between Invoke attempts while the version is not ready yet (tests shorten them). */
  sleep?: Sleep
  retryBaseMs?: number
  /** What the client's handshake carries (serverless.yml `smoke.headers` and `smoke.query`): credentials, mostly. */
  handshake?: Handshake
}

/** Headers and query string parameters a client sends with its handshake, by name. */
export interface Handshake {
  headers?: Record<string, string>
  query?: Record<string, string>
}

export type SmokeStep = '$connect' | 'message' | '$disconnect'

export interface SmokeReport {
  steps: Array<{ step: SmokeStep; statusCode: number; ms: number }>
}

/** Why a version failed its smoke test, in words; `step` is where. */
export class SmokeTestError extends Error {
  override readonly name = 'SmokeTestError'
  constructor(
    message: string,
    readonly step: SmokeStep,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

export const SMOKE_TIMEOUT_MS = 60_000
/** Where Lambda unpacks the zip: the paths its stack traces show. */
const TASK_ROOT = '/var/task'
/** A made-up API id of AWS's shape (10 lowercase letters and digits). */
const SMOKE_API_ID = 'smoketest0'
/** Lambda's error types of a function that failed to load (init phase) rather than to handle the event. */
const INIT_ERRORS = /^Runtime\.(ImportModuleError|UserCodeSyntaxError|HandlerNotFound|MalformedHandlerName|InitTimeout)/

/** The payload Lambda returns with FunctionError: the runtime's serialization of what the function threw. */
interface FunctionFailure {
  errorType?: string
  errorMessage?: string
  trace?: string[]
}

type Outcome = { ok: true; result: SmokeResult | Partial<SmokeResult>; ms: number } | { ok: false; text: string }

const cut = (text: string, max = 200) => (text.length > max ? `${text.slice(0, max)}...` : text)
const USER_AGENT = 'socket-action-smoke-test'
const quoted = (text: string) => JSON.stringify(cut(text))

/** `Error: boom at socket.js:3:9`: what the function threw, and where in the user's code (source-mapped on Lambda). */
export function describeFailure(failure: FunctionFailure): string {
  const what = [failure.errorType, failure.errorMessage].filter(Boolean).join(': ') || 'an unknown error'
  const trace = (failure.trace ?? []).join('\n')
  // Only frames of the function's own files: the runtime's (in /var/runtime on Lambda, wherever it is installed
  // elsewhere) are no origin in the user's code, as for a load failure the runtime reports.
  const ownFrames = (failure.trace ?? []).filter((line) => !/^\s*at /.test(line) || line.includes(`${TASK_ROOT}/`))
  const origin =
    stackOrigin(ownFrames.join('\n'), TASK_ROOT, `${TASK_ROOT}/${BUNDLE_FILE}`) ??
    stackOrigin(ownFrames.join('\n'), TASK_ROOT, `${TASK_ROOT}/${HANDLER_FILE}`)
  // Thrown while Node.js compiled the code, not from the runtime's handler: at the top level of socket.js (or an import).
  const atImport = /\bModule\._compile\b/.test(trace) && !/socket-action-runtime:handler\.ts/.test(trace)
  const loading =
    INIT_ERRORS.test(failure.errorType ?? '') || atImport ? ' while the function was loading (every event fails)' : ''
  return `${what}${origin ? ` at ${origin}` : ''}${loading}`
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function failureOf(text: string): FunctionFailure {
  const json = parseJson(text)
  if (!isRecord(json)) return { errorMessage: text }
  return {
    ...(typeof json.errorType === 'string' && { errorType: json.errorType }),
    ...(typeof json.errorMessage === 'string' && { errorMessage: json.errorMessage }),
    ...(Array.isArray(json.trace) && { trace: json.trace.map(String) }),
  }
}

function resultOf(text: string): Partial<SmokeResult> {
  const json = parseJson(text)
  if (!isRecord(json)) return {}
  const result: Partial<SmokeResult> = {}
  if (typeof json.statusCode === 'number') result.statusCode = json.statusCode
  if (typeof json.body === 'string') result.body = json.body
  const smoke = json.smoke
  if (isRecord(smoke) && Array.isArray(smoke.sent)) {
    result.smoke = {
      sent: smoke.sent.filter(
        (s): s is SmokeSend => isRecord(s) && typeof s.connectionId === 'string' && typeof s.data === 'string',
      ),
    }
  }
  return result
}

/**
 * The $connect event of the smoke test's connection: the one API Gateway sends for a handshake with `handshake`'s
 * headers and query string (the dev gateway's builder, from the request such a client makes). The User-Agent is the
 * connection's (`conn`, which `identity` shows too): smokeTestVersion makes a handshake's User-Agent the connection's.
 */
export function smokeConnectEvent(api: ApiFacts, conn: ConnectionFacts, handshake: Handshake = {}): WebSocketEvent {
  const rawHeaders = ['Host', api.domainName, 'Sec-WebSocket-Key', Buffer.from(conn.connectionId).toString('base64')]
  rawHeaders.push('Sec-WebSocket-Version', '13')
  if (conn.userAgent !== undefined) rawHeaders.push('User-Agent', conn.userAgent)
  for (const [name, value] of Object.entries(handshake.headers ?? {}))
    if (name.toLowerCase() !== 'user-agent') rawHeaders.push(name, value)
  const query = new URLSearchParams(handshake.query).toString()
  return connectEvent(api, conn, { rawHeaders, url: query ? `/?${query}` : '/' }, 443, 'https')
}

export async function smokeTestVersion(
  lambda: LambdaClient,
  target: SmokeTarget,
  options: SmokeOptions,
): Promise<SmokeReport> {
  const version = target.qualifier
  // redacted: what the function answered may echo the handshake's credentials (masked when read from the environment)
  const failed = (step: SmokeStep, why: string, cause?: unknown) =>
    new SmokeTestError(redact(`smoke test of version ${version} failed: ${why}`), step, cause ? { cause } : undefined)
  const timeoutMs = options.timeoutMs ?? SMOKE_TIMEOUT_MS
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(), timeoutMs)
  const report: SmokeReport = { steps: [] }

  const apiId = options.apiId ?? SMOKE_API_ID
  const suffix = options.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'
  const api: ApiFacts = { apiId, domainName: `${apiId}.execute-api.${options.region}.${suffix}`, stage: options.stage }
  const { handshake = {} } = options
  const userAgent = Object.entries(handshake.headers ?? {}).find(([name]) => name.toLowerCase() === 'user-agent')?.[1]
  const conn: ConnectionFacts = {
    connectionId: connectionId(),
    connectedAt: Date.now(),
    sourceIp: '127.0.0.1',
    userAgent: userAgent ?? USER_AGENT,
  }
  const credentials = credentialInputs(handshake)

  async function invoke(step: SmokeStep, event: WebSocketEvent): Promise<Outcome> {
    const marked: WebSocketEvent & { [SMOKE_MARKER]: true } = { ...event, [SMOKE_MARKER]: true }
    const started = performance.now()
    let out: InvokeCommandOutput
    try {
      // A version published a moment ago may still be Pending: its first Invoke is what waits for it (no poll first).
      out = await retry(
        () =>
          lambda.send(
            new InvokeCommand({
              FunctionName: target.functionName,
              Qualifier: version,
              InvocationType: 'RequestResponse',
              Payload: Buffer.from(JSON.stringify(marked)),
            }),
            { abortSignal: abort.signal },
          ),
        {
          retryable: (e) => !abort.signal.aborted && isNotReadyToInvoke(e),
          budgetMs: timeoutMs,
          baseMs: options.retryBaseMs ?? 500,
          ...(options.sleep && { sleep: options.sleep }),
        },
      )
    } catch (error) {
      if (abort.signal.aborted)
        throw failed(step, `${step} got no answer within ${timeoutMs / 1000} s (the smoke test's time limit)`, error)
      throw failed(step, explainAwsError(error, `invoking it for ${step}`).message, error)
    }
    const ms = Math.round(performance.now() - started)
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : ''
    if (out.FunctionError) return { ok: false, text }
    const result = resultOf(text)
    report.steps.push({ step, statusCode: result.statusCode ?? 0, ms })
    return { ok: true, result, ms }
  }

  const threw = (step: SmokeStep, outcome: { text: string }) =>
    failed(step, `${step} threw ${describeFailure(failureOf(outcome.text))}`)

  try {
    const connect = await invoke('$connect', smokeConnectEvent(api, conn, handshake))
    if (!connect.ok) throw threw('$connect', connect)
    const status = connect.result.statusCode
    // A 4xx is the handler deciding (a connection without credentials is refused): the version runs. Only a message
    // needs the connection to be accepted.
    const decided = status !== undefined && status >= 400 && status <= 499 && !options.message
    if (!decided && (status === undefined || status < 200 || status > 299)) {
      const body = connect.result.body ? ` with body ${quoted(connect.result.body)}` : ''
      throw failed(
        '$connect',
        `$connect answered ${status ?? 'no status code'}${body}: ${
          status !== undefined && status >= 400 && status <= 499
            ? `the smoke message needs a connection the handler accepts, ${
                credentials
                  ? `and it refused the smoke test's $connect with ${credentials} - check their values (not shown)`
                  : "and the smoke test's $connect carries no credentials - give them in smoke.headers or smoke.query"
              }`
            : 'API Gateway would refuse every connection'
        }`,
      )
    }
    let problem: SmokeTestError | undefined
    if (options.message) {
      const { body, expect } = options.message
      const reply = await invoke('message', messageEvent(api, conn, '$default', body))
      if (!reply.ok) problem = threw('message', reply)
      else {
        const sent = (reply.result.smoke?.sent ?? []).filter((s) => s.connectionId === conn.connectionId)
        // Only a send reaches the client: with no route responses configured, API Gateway drops a return value.
        if (!sent.some((s) => s.data.includes(expect))) {
          const got = [
            `it answered ${reply.result.statusCode ?? 'no status code'}${reply.result.body !== undefined ? ` with body ${quoted(reply.result.body)}` : ' without a body'}`,
            sent.length > 0
              ? `sent ${sent.map((s) => quoted(s.data)).join(', ')}`
              : reply.result.smoke
                ? 'sent nothing back'
                : 'its runtime does not report sends',
          ].join(' and ')
          problem = failed('message', `the reply to ${quoted(body)} does not contain ${quoted(expect)}: ${got}`)
        }
      }
    }
    // Always, as API Gateway would when the client leaves: the handler may clean up what $connect stored.
    const disconnect = await invoke('$disconnect', disconnectEvent(api, conn, 1000, ''))
    if (problem) throw problem
    if (!disconnect.ok) throw threw('$disconnect', disconnect)
    return report
  } finally {
    clearTimeout(timer)
  }
}
