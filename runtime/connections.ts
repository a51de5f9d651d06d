// The @connections management API, through the unchanged AWS SDK client, so what works behind the local gateway works on AWS.
// One exception, for CPU (billed on Lambda): a send's first attempt is signed by that client's own SigV4 signer and
// POSTed with node:http(s) on a keep-alive agent; anything but a 2xx or a 410 goes to the SDK client as before.
import http from 'node:http'
import https from 'node:https'
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi'
import type { ConnectionInfo } from './types.ts'

/** A connection that is closed or never existed (HTTP 410 GoneException). Prune its id. */
export class GoneConnectionError extends Error {
  override readonly name = 'GoneConnectionError'
  constructor(readonly connectionId: string, options?: { cause?: unknown }) {
    super(`connection ${connectionId} is gone`, options)
  }
}

// One client per endpoint, kept across invocations of a warm Lambda environment.
const clients = new Map<string, ApiGatewayManagementApiClient>()

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/

/** `https://{domainName}/{stage}` on AWS; plain http when the domain is the local gateway on loopback. */
export function connectionsEndpoint(domainName: string, stage: string): string {
  const scheme = LOOPBACK.test(domainName) ? 'http' : 'https'
  return `${scheme}://${domainName}/${stage}`
}

export function clientFor(domainName: string, stage: string): ApiGatewayManagementApiClient {
  const endpoint = connectionsEndpoint(domainName, stage)
  let client = clients.get(endpoint)
  if (!client) {
    // cacheMiddleware: the stack is built once per command instead of on every send (a measurable CPU cost per send).
    client = new ApiGatewayManagementApiClient({ endpoint, cacheMiddleware: true })
    clients.set(endpoint, client)
  }
  return client
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
// endpoint bookkeeping); BENCHMARKS.md "Runtime cost per send". The fast path keeps what matters from the client:
// its endpoint, its credentials and its SigV4 signer (the SDK's SignatureV4, so the signature is the SDK's), and its
// clock-skew offset. It makes one attempt. A 2xx resolves, a 410 rejects with GoneConnectionError (its cause a
// GoneException, as from the SDK); any other answer or a network error (a keep-alive socket the server closed, say)
// sends the call through client.send, which makes its own attempts with the SDK's retries and error types.

// Sockets to the @connections endpoint are kept alive across sends and warm invocations; at most 50 per host
// (broadcast's default concurrency is 32).
const agentOptions = { keepAlive: true, maxSockets: 50 }
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

async function makeFastPath(client: ApiGatewayManagementApiClient): Promise<FastPath | null> {
  const config = client.config as unknown as ClientConfig
  if (typeof config.endpoint !== 'function' || typeof config.signer !== 'function') return null
  try {
    const endpoint = await config.endpoint()
    const signer = await config.signer()
    if (endpoint.query || (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') || typeof signer?.sign !== 'function') return null
    const secure = endpoint.protocol === 'https:'
    const defaultPort = secure ? 443 : 80
    const port = endpoint.port && endpoint.port !== defaultPort ? endpoint.port : undefined
    return {
      agent: secure ? httpsAgent : httpAgent,
      request: secure ? https.request : http.request,
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port,
      host: port ? `${endpoint.hostname}:${port}` : endpoint.hostname,
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

/** One signed POST. Resolves to the answer, or undefined when the request failed before one arrived. */
async function fastPost(fast: FastPath, connectionId: string, data: Uint8Array): Promise<Answer | undefined> {
  const signed = await fast.signer.sign(
    {
      method: 'POST',
      protocol: fast.protocol,
      hostname: fast.hostname,
      port: fast.port,
      path: `${fast.basePath}/@connections/${encodeLabel(connectionId)}`,
      query: {},
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(data.byteLength), host: fast.host },
      body: data,
    },
    { signingDate: new Date(Date.now() + (fast.config.systemClockOffset ?? 0)) },
  )
  return new Promise((resolve) => {
    const req = fast.request(
      { agent: fast.agent, host: fast.hostname, port: fast.port, method: 'POST', path: signed.path, headers: signed.headers },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
        res.on('error', () => resolve(undefined))
      },
    )
    req.on('error', () => resolve(undefined))
    req.end(data)
  })
}

function goneFrom(answer: Answer): GoneException {
  let message = 'GoneException'
  try {
    const parsed = JSON.parse(answer.body.toString('utf8')) as { message?: unknown; Message?: unknown }
    if (typeof (parsed.message ?? parsed.Message) === 'string') message = String(parsed.message ?? parsed.Message)
  } catch {
    // no JSON body: keep the generic message
  }
  const requestId = answer.headers['x-amzn-requestid']
  return new GoneException({
    message,
    $metadata: { httpStatusCode: 410, requestId: typeof requestId === 'string' ? requestId : undefined, attempts: 1, totalRetryDelay: 0 },
  })
}

function sdkPost(client: ApiGatewayManagementApiClient, connectionId: string, data: Uint8Array): Promise<void> {
  return call(connectionId, async () => {
    await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }))
  })
}

export async function postToConnection(client: ApiGatewayManagementApiClient, connectionId: string, data: Uint8Array): Promise<void> {
  let fast = fastPathOf(client)
  if (fast instanceof Promise) fast = await fast
  if (fast) {
    const answer = await fastPost(fast, connectionId, data).catch(() => undefined)
    if (answer && answer.status >= 200 && answer.status < 300) return
    if (answer?.status === 410) throw new GoneConnectionError(connectionId, { cause: goneFrom(answer) })
  }
  return sdkPost(client, connectionId, data)
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
    throw new AggregateError(failures, `broadcast: ${failures.length} of ${ids.length} sends failed (${gone.length} gone)`)
  }
  return gone
}
