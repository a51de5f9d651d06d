// The @connections management API, through the unchanged AWS SDK client, so what works behind the local gateway works on AWS.
// One shortcut, for CPU (billed on Lambda): a send is signed by that client's own SigV4 signer and POSTed with
// node:http(s) on a keep-alive agent; any answer but a 2xx is handed to the SDK client, which handles it as before.
import { createHash, createHmac, createSecretKey, type Hash, type Hmac, type KeyObject } from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import { Readable } from 'node:stream'
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi'
import type { ConnectionInfo } from './types.ts'

/** A connection that is closed or never existed (HTTP 410 GoneException). Prune its id. */
export class GoneConnectionError extends Error {
  override readonly name = 'GoneConnectionError'
  constructor(
    readonly connectionId: string,
    options?: { cause?: unknown },
  ) {
    super(`connection ${connectionId} is gone`, options)
  }
}

// One client per endpoint, kept across invocations of a warm Lambda environment.
const clients = new Map<string, ApiGatewayManagementApiClient>()

/**
 * The standard SDK variable for this service's endpoint. `socket-action dev` sets it to the local gateway; on AWS it is
 * unset unless the user points the function somewhere else on purpose.
 */
export const ENDPOINT_VARIABLE = 'AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI'

/**
 * Where the @connections API of the API that sent `event` lives: `https://{apiId}.execute-api.{region}.{suffix}/{stage}`.
 * Built from the API id and the function's region, never from `domainName`, which is the custom domain when one is
 * mapped (and a custom domain has no @connections API).
 */
export function connectionsEndpoint(
  context: { apiId: string; stage: string },
  env: Record<string, string | undefined> = process.env,
): string {
  const override = env[ENDPOINT_VARIABLE]
  if (override) return override.replace(/\/+$/, '')
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION
  if (!region) throw new Error('socket-action: AWS_REGION is not set, so the @connections endpoint is unknown')
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'
  return `https://${context.apiId}.execute-api.${region}.${suffix}/${context.stage}`
}

export function clientFor(endpoint: string): ApiGatewayManagementApiClient {
  let client = clients.get(endpoint)
  if (!client) {
    // cacheMiddleware: the stack is built once per command instead of on every send (a measurable CPU cost per send).
    // sha256: the signer's hash, with HMAC keys kept as KeyObjects (see KeyedSha256).
    client = new ApiGatewayManagementApiClient({ endpoint, cacheMiddleware: true, sha256: KeyedSha256 })
    clients.set(endpoint, client)
  }
  return client
}

// The SDK's SigV4 signer hashes with the `sha256` class of the client config. Its default (Node's createHmac with the
// key as bytes) turns the key into a KeyObject on every HMAC: 20 µs of CPU per HMAC on Node 24 against 3-5 µs with
// a KeyObject. A signature takes two HMACs: one keyed with the secret access key (a string) and one with the day's
// signing key (the same Uint8Array each time: the signer caches it). Keep their KeyObjects.
const stringKeys = new Map<string, KeyObject>()
const byteKeys = new WeakMap<object, KeyObject>()

type SourceData = string | ArrayBuffer | ArrayBufferView

function bytesOf(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data)
}

function keyObjectOf(secret: SourceData): KeyObject {
  if (typeof secret === 'string') {
    let key = stringKeys.get(secret)
    if (!key) {
      if (stringKeys.size >= 8) stringKeys.clear() // credentials rotate; only the current few matter
      key = createSecretKey(Buffer.from(secret, 'utf8'))
      stringKeys.set(secret, key)
    }
    return key
  }
  let key = byteKeys.get(secret)
  if (!key) {
    key = createSecretKey(bytesOf(secret))
    byteKeys.set(secret, key)
  }
  return key
}

/** SHA-256 (or HMAC-SHA256 given a secret) in the SDK's `Checksum` shape, for the client's `sha256` option. */
export class KeyedSha256 {
  private hash: Hash | Hmac
  constructor(private readonly secret?: SourceData) {
    this.hash = this.create()
  }
  private create(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', keyObjectOf(this.secret))
  }
  update(data: SourceData): void {
    this.hash.update(typeof data === 'string' ? data : bytesOf(data))
  }
  async digest(): Promise<Uint8Array> {
    const out = this.hash.digest()
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
  }
  reset(): void {
    this.hash = this.create()
  }
}

function isGone(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } }
  return e?.name === 'GoneException' || e?.$metadata?.httpStatusCode === 410
}

async function call<T>(connectionId: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (isGone(error)) throw new GoneConnectionError(connectionId, { cause: error })
    throw error
  }
}

export function encode(data: unknown): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data)
  if (data instanceof Uint8Array) return data
  return Buffer.from(JSON.stringify(data) ?? 'null')
}

// ---- the send fast path ------------------------------------------------------------------------------------------
//
// Through the SDK client a send costs ~0.5 ms of CPU (middleware stack, a SignatureV4 object per request, retry and
// endpoint bookkeeping); BENCHMARKS.md "Runtime cost per send". The fast path takes from the client its endpoint and
// its SigV4 signer (the SDK's SignatureV4 with the client's credentials, so the signature is the SDK's), and its
// clock-skew offset, and makes the first attempt itself. A 2xx resolves. Anything else (a 410, a 5xx, a network
// error such as a keep-alive socket the server closed) goes through client.send with that answer handed to the
// SDK's first attempt (see handoffQueue): error types, retries and attempt counts are the SDK's.

// Sockets to the @connections endpoint are kept alive across sends and warm invocations; at most 100 per host, the
// registry's fan-out concurrency (runtime/connection-registry.ts): fewer would cap its posts in flight.
const agentOptions = { keepAlive: true, maxSockets: 100 }
const httpAgent = new http.Agent(agentOptions)
const httpsAgent = new https.Agent(agentOptions)

interface Signer {
  sign(request: SignableRequest, options?: { signingDate?: Date }): Promise<SignableRequest>
}
interface SignableRequest {
  method: string
  protocol: string
  hostname: string
  port?: number
  path: string
  query: Record<string, string>
  headers: Record<string, string>
  body?: Uint8Array
}
/** The parts of the SDK client's resolved config the fast path uses. */
interface ClientConfig {
  endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number; path: string; query?: unknown }>
  signer?: () => Promise<Signer>
  systemClockOffset?: number
}
interface FastPath {
  agent: http.Agent
  request: typeof http.request
  protocol: string
  hostname: string
  port: number | undefined
  host: string
  basePath: string
  signer: Signer
  config: ClientConfig
}

// Per client: the fast path, or null when the client has no fixed endpoint or signer (then every send uses the SDK).
const fastPaths = new WeakMap<ApiGatewayManagementApiClient, FastPath | null | Promise<FastPath | null>>()

// The client's config is no public API: each field is checked for the shape the fast path uses, and any other shape
// (an SDK older or newer than the ones tested in test/runtime-send-sdk.test.ts) means no fast path for that client.
async function makeFastPath(client: ApiGatewayManagementApiClient): Promise<FastPath | null> {
  const config = (client as { config?: unknown }).config as ClientConfig | undefined
  if (typeof config?.endpoint !== 'function' || typeof config.signer !== 'function') return null
  try {
    const endpoint = await config.endpoint()
    const signer = await config.signer()
    if (
      endpoint?.query ||
      (endpoint?.protocol !== 'http:' && endpoint?.protocol !== 'https:') ||
      typeof endpoint.hostname !== 'string' ||
      endpoint.hostname === '' ||
      typeof endpoint.path !== 'string' ||
      typeof signer?.sign !== 'function'
    )
      return null
    const secure = endpoint.protocol === 'https:'
    const defaultPort = secure ? 443 : 80
    const port = endpoint.port && Number(endpoint.port) !== defaultPort ? Number(endpoint.port) : undefined
    const { hostname } = endpoint
    return {
      agent: secure ? httpsAgent : httpAgent,
      request: secure ? https.request : http.request,
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port,
      host: port ? `${hostname}:${port}` : hostname,
      basePath: endpoint.path.replace(/\/+$/, ''),
      signer,
      config,
    }
  } catch {
    return null
  }
}

function fastPathOf(client: ApiGatewayManagementApiClient): FastPath | null | Promise<FastPath | null> {
  let fast = fastPaths.get(client)
  if (fast === undefined) {
    const made = makeFastPath(client)
    fastPaths.set(client, made)
    void made.then((value) => fastPaths.set(client, value))
    fast = made
  }
  return fast
}

/** Makes every send of this client go through the SDK client alone, as before the fast path (the benchmark's baseline). */
export function sendThroughSdk(client: ApiGatewayManagementApiClient): void {
  fastPaths.set(client, null)
}

/** A path label the way the SDK encodes it (encodeURIComponent, plus !'()*). */
function encodeLabel(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

/** Signs the POST with the client's signer (throws what the signer throws, credential errors say). */
function sign(fast: FastPath, path: string, data: Uint8Array): Promise<SignableRequest> {
  return fast.signer.sign(
    {
      method: 'POST',
      protocol: fast.protocol,
      hostname: fast.hostname,
      port: fast.port,
      path,
      query: {},
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(data.byteLength),
        host: fast.host,
      },
      body: data,
    },
    { signingDate: new Date(Date.now() + (fast.config.systemClockOffset ?? 0)) },
  )
}

/** Sends a signed POST; rejects when the request failed before an answer arrived. */
function post(fast: FastPath, signed: SignableRequest, data: Uint8Array): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = fast.request(
      {
        agent: fast.agent,
        host: fast.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: fast.port,
        method: 'POST',
        path: signed.path,
        headers: signed.headers,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(data)
  })
}

// ---- handing a fast-path answer to the SDK client -----------------------------------------------------------------
//
// When the fast path gets anything but a 2xx, the call goes through client.send, and the SDK's FIRST attempt is
// answered with what the fast path got (the response, or the network error) instead of a new request: the SDK
// parses it into its error types (GoneException, ForbiddenException, LimitExceededException, ...), corrects clock
// skew from it, and retries it under its own policy (backoff, max attempts, retry quota) with real requests. A
// failing send therefore makes exactly the requests it made before the fast path.

interface Handoff {
  /** The payload of the send it belongs to: the SDK passes the same bytes as the request body. */
  data: Uint8Array
  answer?: Answer
  error?: unknown
}
type Handle = (request: { method?: string; path?: string }, options?: unknown) => Promise<{ response: unknown }>

// Per client: answers waiting for the SDK's first attempt, by "METHOD path"; null when its handler cannot be wrapped.
const handoffs = new WeakMap<ApiGatewayManagementApiClient, Map<string, Handoff[]> | null>()

/** Wraps the client's request handler once so that it can be handed answers; undefined if the client has none we know. */
function handoffQueue(client: ApiGatewayManagementApiClient): Map<string, Handoff[]> | undefined {
  const queue = handoffs.get(client)
  if (queue !== undefined) return queue ?? undefined
  const handler = (client as { config?: { requestHandler?: { handle?: Handle } } }).config?.requestHandler
  if (!handler || typeof handler.handle !== 'function') return undefined
  const pending = new Map<string, Handoff[]>()
  const handle = handler.handle.bind(handler)
  const wrapped: Handle = (request, options) => {
    const key = `${request.method} ${request.path}`
    const waiting = pending.get(key)
    // Only the answer of this very send: two failing sends to one id must not take each other's answers.
    const at = waiting?.findIndex((h) => h.data === (request as { body?: unknown }).body) ?? -1
    if (at < 0) return handle(request, options)
    const handoff = waiting!.splice(at, 1)[0]!
    if (waiting!.length === 0) pending.delete(key)
    if (!handoff.answer) return Promise.reject(handoff.error)
    const { status, headers, body } = handoff.answer
    return Promise.resolve({
      response: {
        statusCode: status,
        reason: http.STATUS_CODES[status],
        headers: flatHeaders(headers),
        body: Readable.from([body], { objectMode: false }),
      },
    })
  }
  // A handler whose handle() cannot be replaced (read-only, a setter that ignores it) gets no answers handed to it:
  // then no fast path for this client, since a failed first attempt would otherwise be made twice.
  try {
    handler.handle = wrapped
  } catch {}
  if (handler.handle !== wrapped) {
    handoffs.set(client, null)
    return undefined
  }
  handoffs.set(client, pending)
  return pending
}

/** Response headers the way the SDK's NodeHttpHandler gives them (repeated headers joined with commas). */
function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(',') : value
  }
  return flat
}

function sdkPost(client: ApiGatewayManagementApiClient, connectionId: string, data: Uint8Array): Promise<void> {
  return call(connectionId, async () => {
    await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }))
  })
}

// API Gateway's answers to a request whose SigV4 signature or Authorization header it cannot accept.
const SIGNATURE_ERRORS = new Set([
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
  'SignatureDoesNotMatch',
])

function refusesSignature(answer: Answer): boolean {
  const type = answer.headers['x-amzn-errortype']
  return answer.status === 403 && typeof type === 'string' && SIGNATURE_ERRORS.has(type.split(':')[0]!)
}

// A clock-skew correction moves systemClockOffset by minutes (AWS allows minutes of skew); the SDK also moves it by
// the sub-second difference to any Date header it reads, which explains no refusal.
const SKEW_CORRECTION_MS = 60_000

/**
 * A refused signature may be the fast path's own fault: a signer or request shape of an SDK version it was not tested
 * with. So the SDK client makes its own first attempt instead of being handed the 403. If the SDK's request is
 * accepted, this client's sends go through the SDK client from now on; unless the SDK corrected its clock skew on the
 * way (systemClockOffset, which the fast path signs with too, moved by minutes): then the refusal was the clock's, and
 * one request more was its cost.
 */
async function sdkInsteadOfRefused(
  client: ApiGatewayManagementApiClient,
  fast: FastPath,
  connectionId: string,
  data: Uint8Array,
  answer: Answer,
): Promise<void> {
  const offset = fast.config.systemClockOffset ?? 0
  await sdkPost(client, connectionId, data)
  const corrected = Math.abs((fast.config.systemClockOffset ?? 0) - offset) >= SKEW_CORRECTION_MS
  if (corrected || fastPaths.get(client) === null) return
  sendThroughSdk(client)
  console.warn(
    `socket-action: the @connections API refused the fast send path's signature (${answer.headers['x-amzn-errortype']}) and accepted the AWS SDK client's; this client's sends go through the SDK client from now on`,
  )
}

export async function postToConnection(
  client: ApiGatewayManagementApiClient,
  connectionId: string,
  data: Uint8Array,
): Promise<void> {
  let fast = fastPathOf(client)
  if (fast instanceof Promise) fast = await fast
  const queue = fast ? handoffQueue(client) : undefined
  if (!fast || !queue) return sdkPost(client, connectionId, data)
  const path = `${fast.basePath}/@connections/${encodeLabel(connectionId)}`
  let signed: SignableRequest
  try {
    signed = await sign(fast, path, data)
  } catch {
    // Let the SDK client sign (and fail) the same way, with its own error.
    return sdkPost(client, connectionId, data)
  }
  let handoff: Handoff
  try {
    handoff = { data, answer: await post(fast, signed, data) }
  } catch (error) {
    handoff = { data, error }
  }
  const { answer } = handoff
  if (answer && answer.status >= 200 && answer.status < 300) return
  if (answer && refusesSignature(answer)) return sdkInsteadOfRefused(client, fast, connectionId, data, answer)
  const key = `POST ${path}`
  const waiting = queue.get(key)
  if (waiting) waiting.push(handoff)
  else queue.set(key, [handoff])
  try {
    return await sdkPost(client, connectionId, data)
  } finally {
    // If the SDK failed before sending (no credentials, say), its answer must not be handed to a later send.
    const left = queue.get(key)
    const at = left?.indexOf(handoff) ?? -1
    if (at >= 0) {
      left!.splice(at, 1)
      if (left!.length === 0) queue.delete(key)
    }
  }
}

export function deleteConnection(client: ApiGatewayManagementApiClient, connectionId: string): Promise<void> {
  return call(connectionId, async () => {
    await client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }))
  })
}

export function getConnection(client: ApiGatewayManagementApiClient, connectionId: string): Promise<ConnectionInfo> {
  return call(connectionId, async () => {
    const out = await client.send(new GetConnectionCommand({ ConnectionId: connectionId }))
    return {
      connectedAt: out.ConnectedAt,
      lastActiveAt: out.LastActiveAt,
      identity: out.Identity && { sourceIp: out.Identity.SourceIp, userAgent: out.Identity.UserAgent },
    }
  })
}

/** Posts one payload to many connections, at most `concurrency` at a time. Resolves to the gone ids; other failures reject together at the end. */
export async function broadcast(
  client: ApiGatewayManagementApiClient,
  data: unknown,
  connectionIds: Iterable<string>,
  concurrency = 32,
): Promise<string[]> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`broadcast: concurrency must be a positive integer, got ${concurrency}`)
  }
  const payload = encode(data)
  const ids = [...new Set(connectionIds)]
  const gone: string[] = []
  const failures: unknown[] = []
  let next = 0
  const lane = async () => {
    while (next < ids.length) {
      const id = ids[next++]!
      try {
        await postToConnection(client, id, payload)
      } catch (error) {
        if (error instanceof GoneConnectionError) gone.push(id)
        else failures.push(error)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, lane))
  if (failures.length > 0) {
    throw new AggregateError(
      failures,
      `broadcast: ${failures.length} of ${ids.length} sends failed (${gone.length} gone)`,
    )
  }
  return gone
}
