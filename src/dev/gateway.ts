// A local API Gateway v2 WebSocket API: $connect before the upgrade, route selection, the @connections API,
// frame limits and timeouts, with the values of API Gateway's WebSocket quotas (AWS_LIMITS below: 32 KB frames,
// 128 KB messages, 10 min idle, 2 h per connection, 29 s integration timeout, 500 new connections a second).
import { REGISTRY_HEADER } from '../../runtime/connection-store-http.ts'
import { answerRegistryRequest, type RegistryData } from './connection-store.ts'
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket as NetSocket } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { toProxyResult } from '../../runtime/handler.ts'
import { stackOrigin } from '../bundle/sourcemap.ts'
import type { HandlerResult, ProxyResult, WebSocketEvent } from '../../runtime/types.ts'
import {
  connectEvent,
  connectionId,
  disconnectEvent,
  identityOf,
  messageEvent,
  type ApiFacts,
  type ConnectionFacts,
} from './events.ts'
import type { Invocation, Invoke } from './lambda.ts'
import { originAllowed, ownOrigins, type AllowedOrigins } from './origins.ts'

export interface GatewayLimits {
  /** Largest frame (and so message) a client may send; over it the connection is closed with 1009. */
  frameBytes: number
  /** Largest @connections POST payload; over it 413 PayloadTooLargeException. */
  payloadBytes: number
  idleTimeoutMs: number
  maxDurationMs: number
  /** API Gateway's integration timeout (29 s at most); the function's own timeout applies too. */
  integrationTimeoutMs: number
  /** New connections per second before handshakes are refused with 429. */
  connectionsPerSecond: number
  /**
   * Bytes queued for a client that does not read (beyond what the OS buffers) before `@connections` POSTs to it answer
   * 429 LimitExceededException ("the WebSocket client side buffer is full"). AWS does not publish its size.
   */
  sendBufferBytes: number
  /** Time a client has to send a request's headers (slowloris); past it 408 and the socket is closed. */
  headersTimeoutMs: number
  /** Time a client has to send a whole HTTP request, body included; past it 408. */
  requestTimeoutMs: number
  /** Each @connections POST is handled this much later (benchmarks: API Gateway's latency as the function sees it). */
  postDelayMs: number
}

export const AWS_LIMITS: GatewayLimits = {
  frameBytes: 32 * 1024,
  payloadBytes: 128 * 1024,
  idleTimeoutMs: 10 * 60 * 1000,
  maxDurationMs: 2 * 60 * 60 * 1000,
  integrationTimeoutMs: 29_000,
  connectionsPerSecond: 500,
  sendBufferBytes: 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  postDelayMs: 0,
}

export interface GatewayOptions {
  invoke: Invoke
  stage: string
  apiId?: string
  host?: string
  /** 0 picks a free port. */
  port?: number
  limits?: Partial<GatewayLimits>
  /** Never deliver $disconnect, as AWS may not ("best effort"), so code that prunes stale ids can be tested. */
  dropDisconnect?: boolean
  /** The connection registry every execution environment shares (POST /{stage}/@registry/{its token}). */
  registry?: RegistryData
  /** One line per invocation and per gateway event. */
  log?: (line: string) => void
  /** The code folder and the bundle's file name in it: a failed invocation's log line names the user's frame. */
  source?: () => { codeDir: string; bundleFile: string }
  /**
   * The gateway sits behind a TLS front that forwards the client's bytes (the test bed's edge, serving the deployed
   * stage's wss:// URL): the events name the host the client asked for (`domainName`: the execute-api name or the
   * custom domain), and X-Forwarded-Proto/-Port the front's. Without it, the gateway's own address (dev).
   */
  front?: { proto: 'https'; port: number; domainName: (req: IncomingMessage) => string }
  /** The route key of a message, as the API's route selection expression picks it; `$default` without it (dev). */
  routeOf?: (body: string) => string
  /**
   * dev's origin policy (src/dev/origins.ts): a handshake whose Origin is neither the gateway's own nor allowed here is
   * refused with 403 before $connect. Without it every Origin is accepted, as API Gateway does (the test bed).
   */
  allowOrigins?: AllowedOrigins
  /** dev's playground: answers the plain GETs it serves (true), or leaves them to the gateway (false). */
  pages?: GatewayPages
  /** Each invocation, as its log line tells it (the playground streams them). */
  onInvocation?: (record: InvocationRecord) => void
}

/** What the gateway asks of the playground (src/dev/playground.ts). */
export interface GatewayPages {
  answer(req: IncomingMessage, res: ServerResponse, path: string): boolean
}

/** One invocation: its route key, connection, status (`200`, `error`, `timeout`), time and the error's description. */
export interface InvocationRecord {
  routeKey: string
  connectionId: string
  /** The playground's name for the connection (PLAYGROUND_TAG), so its page learns which id is which panel's. */
  tag?: string
  status: string
  ms: number
  error?: string
}

/**
 * The query parameter a playground panel adds to its WebSocket URL so that its page can tell its connection id. dev
 * removes it before $connect: the handler sees the URL it would see from any other client.
 */
export const PLAYGROUND_TAG = 'socket-action-playground'

interface Connection extends ConnectionFacts {
  /** The API as this connection's client reached it (its domainName is the host it asked for, behind a front). */
  api?: ApiFacts
  state: 'connecting' | 'open' | 'closed'
  /** The playground panel's name for it (PLAYGROUND_TAG). */
  tag?: string
  ws?: WebSocket
  lastActiveAt: number
  idleTimer?: NodeJS.Timeout
  maxTimer?: NodeJS.Timeout
}

const WS_GUID_PROTOCOL = Symbol('socket-action:subprotocol')

export class LocalGateway {
  private readonly server: Server
  private readonly wss: WebSocketServer
  private readonly connections = new Map<string, Connection>()
  private readonly limits: GatewayLimits
  private recentConnects: number[] = []
  private api!: ApiFacts
  private port = 0
  private readonly inflight = new Set<Promise<unknown>>()
  /** Sockets whose upgrade waits for $connect. */
  private readonly handshakes = new Set<NetSocket>()
  private closing = false
  private ownOrigins = new Set<string>()
  /** Refused origins already logged (once each: a page retrying in a loop must not flood the terminal). */
  private readonly refusedOrigins = new Set<string>()

  constructor(private readonly options: GatewayOptions) {
    this.limits = { ...AWS_LIMITS, ...options.limits }
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.limits.frameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (_protocols, req) =>
        (req as IncomingMessage & { [WS_GUID_PROTOCOL]?: string })[WS_GUID_PROTOCOL] ?? false,
    })
    // Node's timers for slow clients, checked often enough that a short headersTimeoutMs (tests) is honoured.
    const timeouts = {
      headersTimeout: this.limits.headersTimeoutMs,
      requestTimeout: Math.max(this.limits.requestTimeoutMs, this.limits.headersTimeoutMs),
      connectionsCheckingInterval: Math.max(50, Math.min(1000, this.limits.headersTimeoutMs / 4)),
    }
    // A request the gateway did not foresee answers 500 and is logged: it never takes `dev` down.
    this.server = createServer(timeouts, (req, res) =>
      this.onRequest(req, res).catch((error: Error) => {
        // A client that went away or sent a broken body mid-request is not the gateway's error (clientError answered).
        if (error instanceof ClientAborted) return void res.destroy()
        this.options.log?.(`internal error answering ${req.method} ${JSON.stringify(req.url)}: ${error.message}`)
        if (!res.headersSent) send(res, 500, { message: 'Internal server error' })
        else res.destroy()
      }),
    )
    this.server.on('upgrade', (req, socket, head) =>
      this.onUpgrade(req, socket as NetSocket, head).catch((error: Error) => {
        this.options.log?.(`internal error answering an upgrade to ${JSON.stringify(req.url)}: ${error.message}`)
        reject(socket as NetSocket, 500, { message: 'Internal server error' })
      }),
    )
    this.server.on('clientError', onClientError)
    this.server.keepAliveTimeout = 60_000
  }

  async listen(): Promise<{ url: string; connectionsUrl: string; port: number }> {
    const host = this.options.host ?? '127.0.0.1'
    const port = this.options.port ?? 3001
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new Error(`port ${port} on ${host} is in use: stop what holds it, or pass --port 0 for a free port`)
            : error,
        ),
      )
      this.server.listen(port, host, () => resolve())
    })
    this.port = (this.server.address() as AddressInfo).port
    const hostPort = `${host.includes(':') ? `[${host}]` : host}:${this.port}`
    this.api = { apiId: this.options.apiId ?? 'local', domainName: hostPort, stage: this.options.stage }
    this.ownOrigins = ownOrigins(host, this.port)
    return {
      url: `ws://${hostPort}/${this.options.stage}`,
      connectionsUrl: `http://${hostPort}/${this.options.stage}/@connections`,
      port: this.port,
    }
  }

  /** Whether `connectionId` is one of this gateway's connections (open or still in $connect). */
  holds(connectionId: string): boolean {
    return this.connections.has(connectionId)
  }

  get connectionCount(): number {
    return [...this.connections.values()].filter((c) => c.state === 'open').length
  }

  async close(): Promise<void> {
    this.closing = true
    for (const conn of this.connections.values()) conn.ws?.terminate()
    // Handshakes still waiting for $connect: no WebSocket to terminate yet, so end their sockets.
    for (const socket of this.handshakes) socket.destroy()
    // The $disconnect events of the connections just closed still reach @connections and the registry (a bounded
    // moment): their handlers tell rooms, and the registry forgets them, instead of failing on a closed server.
    for (let waited = 0; this.connections.size > 0 && waited < 1000; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10))
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.server.closeAllConnections()
    await Promise.allSettled([...this.inflight])
  }

  /** `Name: message`, and where it was thrown in the user's code (source-mapped): `Error: boom (socket.js:6:9)`. */
  private describe(error: { name: string; message: string; stack?: string; hint?: string }): string {
    const source = this.options.source?.()
    const origin = source && stackOrigin(error.stack, source.codeDir, source.bundleFile)
    return `${error.name}: ${error.message}${origin ? ` (${origin})` : ''}${error.hint ? ` (${error.hint})` : ''}`
  }

  private async run(routeKey: string, conn: Connection, event: WebSocketEvent): Promise<Invocation> {
    const call = this.options.invoke(event, this.limits.integrationTimeoutMs)
    this.inflight.add(call)
    try {
      const outcome = await call
      const status = outcome.ok
        ? String(normalize(outcome.result).statusCode)
        : outcome.reason === 'timeout'
          ? 'timeout'
          : 'error'
      const error = outcome.ok ? undefined : this.describe(outcome.error)
      this.options.log?.(
        `${routeKey.padEnd(12)} ${conn.connectionId}  ${status.padEnd(7)} ${outcome.ms}ms${error ? `  ${error}` : ''}`,
      )
      this.options.onInvocation?.({
        routeKey,
        connectionId: conn.connectionId,
        ...(conn.tag !== undefined && { tag: conn.tag }),
        status,
        ms: outcome.ms,
        ...(error !== undefined && { error }),
      })
      return outcome
    } finally {
      this.inflight.delete(call)
    }
  }

  // ---- handshake -------------------------------------------------------------------------------------------------

  private async onUpgrade(req: IncomingMessage, socket: NetSocket, head: Buffer): Promise<void> {
    // Node no longer watches an upgraded socket: a reset while $connect runs must not be an uncaught 'error'.
    socket.on('error', () => socket.destroy())
    const path = malformedTarget(req) ? undefined : pathOf(req)?.replace(/\/+$/, '')
    if (path === undefined) return reject(socket, 400, { message: 'Bad Request' })
    // A broken handshake is refused before $connect runs (ws would refuse it only after, leaving the id behind).
    const handshake = handshakeProblem(req)
    if (handshake) return reject(socket, handshake.status, { message: handshake.message }, handshake.headers)
    if (path !== '' && path !== `/${this.options.stage}`) return reject(socket, 403, { message: 'Forbidden' })
    const origin = req.headers.origin
    if (this.options.allowOrigins && !originAllowed(origin, this.ownOrigins, this.options.allowOrigins)) {
      if (!this.refusedOrigins.has(origin!) && this.refusedOrigins.size < 100) {
        this.refusedOrigins.add(origin!)
        this.options.log?.(
          `refused a WebSocket from a page on ${JSON.stringify(origin)} (403): dev accepts only its own origin and clients that send none; to let that page connect, restart with --allow-origin ${origin}`,
        )
      }
      return reject(socket, 403, {
        message: `Forbidden: origin ${origin} is not allowed (socket-action dev --allow-origin ${origin})`,
      })
    }
    const now = Date.now()
    this.recentConnects = this.recentConnects.filter((t) => now - t < 1000)
    if (this.recentConnects.length >= this.limits.connectionsPerSecond)
      return reject(socket, 429, { message: 'Too Many Requests' })
    this.recentConnects.push(now)

    const conn: Connection = {
      connectionId: connectionId(),
      connectedAt: now,
      lastActiveAt: now,
      sourceIp: (socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      userAgent: req.headers['user-agent'],
      state: 'connecting',
    }
    this.connections.set(conn.connectionId, conn)
    this.handshakes.add(socket)
    let socketClosed = false
    socket.once('close', () => {
      socketClosed = true
      // A handshake that never completed (client gone, or refused by ws) leaves no connection behind.
      if (conn.state === 'connecting') this.connections.delete(conn.connectionId)
    })

    const front = this.options.front
    conn.api = front ? { ...this.api, domainName: front.domainName(req) } : this.api
    const target = this.options.pages ? playgroundTarget(req) : { url: req.url }
    conn.tag = target.tag
    const request = { rawHeaders: req.rawHeaders, url: target.url }
    const event = front
      ? connectEvent(conn.api, conn, request, front.port, front.proto)
      : connectEvent(conn.api, conn, request, this.port)
    const outcome = await this.run('$connect', conn, event)
    this.handshakes.delete(socket)
    if (this.closing) {
      this.connections.delete(conn.connectionId)
      return void socket.destroy()
    }
    if (!outcome.ok) {
      this.connections.delete(conn.connectionId)
      return reject(socket, 502, { message: 'Internal server error' })
    }
    const result = normalize(outcome.result)
    if (result.statusCode < 200 || result.statusCode > 299) {
      this.connections.delete(conn.connectionId)
      return reject(socket, result.statusCode, result.body ?? '')
    }
    if (socketClosed) {
      this.connections.delete(conn.connectionId)
      return
    }
    const protocol = Object.entries(result.headers ?? {}).find(
      ([k]) => k.toLowerCase() === 'sec-websocket-protocol',
    )?.[1]
    if (protocol) (req as IncomingMessage & { [WS_GUID_PROTOCOL]?: string })[WS_GUID_PROTOCOL] = protocol
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onOpen(conn, ws))
  }

  private onOpen(conn: Connection, ws: WebSocket): void {
    conn.ws = ws
    conn.state = 'open'
    this.touch(conn)
    conn.maxTimer = setTimeout(() => ws.close(1001, 'Going away'), this.limits.maxDurationMs)
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(1003, 'Binary frames are not supported')
        return
      }
      this.touch(conn)
      void this.onMessage(conn, data.toString())
    })
    ws.on('close', (code, reason) => void this.onClose(conn, code, reason.toString()))
    ws.on('error', () => {
      // A protocol error (e.g. a frame over the limit) closes the socket; 'close' reports its code.
    })
  }

  // ---- messages --------------------------------------------------------------------------------------------------

  /**
   * Every message goes to $default, as on the deployed API (it has no custom routes: the runtime reads the frame's
   * `route` itself), unless `routeOf` selects another; routes are one-way: what the handler returns is not sent back.
   */
  private async onMessage(conn: Connection, body: string): Promise<void> {
    const routeKey = this.options.routeOf?.(body) ?? '$default'
    const event = messageEvent(conn.api ?? this.api, conn, routeKey, body)
    const outcome = await this.run(routeKey, conn, event)
    if (conn.state === 'open' && !outcome.ok) {
      const frame = {
        message: 'Internal server error',
        connectionId: conn.connectionId,
        requestId: event.requestContext.requestId,
      }
      conn.ws!.send(JSON.stringify(frame))
    }
  }

  private async onClose(conn: Connection, code: number, reason: string): Promise<void> {
    if (conn.state === 'closed') return
    conn.state = 'closed'
    clearTimeout(conn.idleTimer)
    clearTimeout(conn.maxTimer)
    if (!this.options.dropDisconnect)
      await this.run('$disconnect', conn, disconnectEvent(conn.api ?? this.api, conn, code, reason))
    this.connections.delete(conn.connectionId)
  }

  private touch(conn: Connection): void {
    conn.lastActiveAt = Date.now()
    clearTimeout(conn.idleTimer)
    conn.idleTimer = setTimeout(() => conn.ws?.close(1001, 'Going away'), this.limits.idleTimeoutMs)
  }

  // ---- HTTP: the @connections API and everything that is not an upgrade -----------------------------------------

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req)
    if (path !== undefined && this.options.pages && (req.method === 'GET' || req.method === 'HEAD')) {
      if (this.options.pages.answer(req, res, path)) return
    }
    const registry = this.options.registry
    if (registry && path === `/${this.options.stage}/@registry/${registry.token}`) return this.onRegistry(req, res)
    const match = path === undefined ? null : /^\/([^/]+)\/@connections\/([^/]+)$/.exec(path)
    if (path === undefined || (!match && malformedTarget(req))) {
      await readBody(req, 0)
      return send(res, 400, { message: 'Bad Request' }, 'BadRequestException')
    }
    if (!match) {
      await readBody(req, 0)
      if (req.method === 'GET') return send(res, 426, { message: 'Upgrade Required: connect with a WebSocket client' })
      return send(res, 403, { message: 'Missing Authentication Token' })
    }
    const [, stage, rawId] = match
    const id = decoded(rawId!)
    if (id === undefined) {
      await readBody(req, 0)
      return send(res, 400, { message: `Invalid connectionId: ${rawId}` }, 'BadRequestException')
    }
    if (stage !== this.options.stage) {
      await readBody(req, 0)
      return send(res, 403, { message: 'Forbidden' }, 'ForbiddenException')
    }
    const conn = this.connections.get(id)
    if (req.method === 'POST') {
      const body = await readBody(req, this.limits.payloadBytes)
      if (body === 'too-large')
        return send(res, 413, { message: 'Request entity too large' }, 'PayloadTooLargeException')
      if (this.limits.postDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.limits.postDelayMs))
      if (!isOpen(conn)) return gone(res)
      // A client that does not read fills its buffer; API Gateway then answers 429 LimitExceededException.
      if (conn.ws!.bufferedAmount >= this.limits.sendBufferBytes) {
        return send(res, 429, { message: 'Limit Exceeded' }, 'LimitExceededException')
      }
      conn!.ws!.send(body.toString('utf8'))
      this.touch(conn)
      return send(res, 200)
    }
    await readBody(req, 0)
    if (!isOpen(conn)) return gone(res)
    if (req.method === 'GET') {
      return send(res, 200, {
        connectedAt: new Date(conn.connectedAt).toISOString(),
        identity: identityOf(conn),
        lastActiveAt: new Date(conn.lastActiveAt).toISOString(),
      })
    }
    if (req.method === 'DELETE') {
      conn.ws!.close(1000)
      return send(res, 204)
    }
    return send(res, 405, { message: 'Method Not Allowed' })
  }

  /**
   * The registry's store, for the function's environments only: they alone know its path's token, and a request
   * without the registry header (which a web page cannot add without a preflight that is never answered) is refused,
   * as is anything but a POST.
   */
  private async onRegistry(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, REGISTRY_REQUEST_BYTES)
    if (req.method !== 'POST' || req.headers[REGISTRY_HEADER] !== '1' || body === 'too-large')
      return send(res, 403, { message: 'Forbidden' }, 'ForbiddenException')
    let request: unknown
    try {
      request = JSON.parse(body.toString('utf8'))
    } catch {
      return send(res, 400, { error: { name: 'BadRequest', message: 'the registry request is not JSON' } })
    }
    return send(res, 200, await answerRegistryRequest(this.options.registry!, request))
  }
}

/** The playground's tag of a handshake (PLAYGROUND_TAG), and its URL without it. */
function playgroundTarget(req: IncomingMessage): { url: string | undefined; tag?: string } {
  const target = req.url ?? '/'
  const query = target.indexOf('?')
  if (query < 0 || !target.includes(PLAYGROUND_TAG)) return { url: req.url }
  const params = new URLSearchParams(target.slice(query + 1))
  const tag = params.get(PLAYGROUND_TAG) ?? undefined
  params.delete(PLAYGROUND_TAG)
  const rest = params.toString()
  return {
    url: `${target.slice(0, query)}${rest ? `?${rest}` : ''}`,
    ...(tag !== undefined && /^[A-Za-z0-9_-]{1,64}$/.test(tag) && { tag }),
  }
}

/** A registry request carries at most a 400 KB item, JSON-escaped. */
const REGISTRY_REQUEST_BYTES = 4 * 1024 * 1024

/** The request's path, or undefined when its target is not a URL at all (`GET http://[ HTTP/1.1`). */
function pathOf(req: IncomingMessage): string | undefined {
  try {
    return new URL(req.url ?? '/', 'http://local').pathname
  } catch {
    return undefined
  }
}

/** True when the path or query has malformed percent-encoding (`/dev?x=%ZZ`, `%E0%A4%A`): API Gateway answers 400. */
function malformedTarget(req: IncomingMessage): boolean {
  const target = req.url ?? '/'
  if (!target.includes('%')) return false
  const query = target.indexOf('?')
  const parts =
    query < 0 ? target.split('/') : [...target.slice(0, query).split('/'), ...target.slice(query + 1).split(/[&=]/)]
  return parts.some((part) => decoded(part.replaceAll('+', ' ')) === undefined)
}

// RFC 7230 token characters, for Sec-WebSocket-Protocol.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** What is wrong with a WebSocket handshake (the checks `ws` makes, with its statuses), or undefined. */
function handshakeProblem(
  req: IncomingMessage,
): { status: number; message: string; headers?: Record<string, string> } | undefined {
  if (req.method !== 'GET') return { status: 405, message: 'Invalid HTTP method' }
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') return { status: 400, message: 'Invalid Upgrade header' }
  if (!/^[+/0-9A-Za-z]{22}==$/.test(req.headers['sec-websocket-key'] ?? ''))
    return { status: 400, message: 'Missing or invalid Sec-WebSocket-Key header' }
  const version = req.headers['sec-websocket-version']
  if (version !== '13' && version !== '8') {
    return {
      status: 400,
      message: 'Missing or invalid Sec-WebSocket-Version header',
      headers: { 'Sec-WebSocket-Version': '13, 8' },
    }
  }
  const protocols = req.headers['sec-websocket-protocol']?.split(',').map((p) => p.trim())
  if (protocols && (protocols.some((p) => !TOKEN.test(p)) || new Set(protocols).size !== protocols.length)) {
    return { status: 400, message: 'Invalid Sec-WebSocket-Protocol header' }
  }
  return undefined
}

/** A path segment decoded, or undefined for malformed percent-encoding (`%E0%A4%A`). */
function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

/** Open for API Gateway: connected, and not closing (a client's close frame makes it Gone at once). */
function isOpen(conn: Connection | undefined): conn is Connection {
  return !!conn && conn.state === 'open' && conn.ws?.readyState === 1
}

/** What API Gateway makes of a function's return value (the runtime's own rule, so both sides agree). */
const normalize = (result: unknown): ProxyResult => toProxyResult(result as HandlerResult)
function reject(socket: NetSocket, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n${extra}\r\n${text}`,
  )
}

const answered = new WeakSet<Duplex>()

/**
 * Bytes Node's HTTP parser refused (bad request line, header, chunk size, Content-Length...), headers or chunk
 * extensions too large, or a client too slow: answer 400 / 431 / 413 / 408 like Node's default would, but close
 * gracefully so the client reads the answer, and never throw. Called again for the same socket when more bytes follow;
 * answered once.
 */
function onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (answered.has(socket)) return
  answered.add(socket)
  socket.on('error', () => socket.destroy())
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) return void socket.destroy()
  const statuses: Record<string, number> = {
    HPE_HEADER_OVERFLOW: 431,
    HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
    ERR_HTTP_REQUEST_TIMEOUT: 408,
  }
  const status = statuses[error.code ?? ''] ?? 400
  const text = JSON.stringify({ message: STATUS_CODES[status] })
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${text.length}\r\n\r\n${text}`,
  )
  // Whatever the client still sends is dropped; a client that never closes its side is cut off.
  setTimeout(() => socket.destroy(), 2000).unref()
}

function send(res: ServerResponse, status: number, body?: unknown, errorType?: string): void {
  const headers: Record<string, string> = {}
  if (errorType) headers['x-amzn-ErrorType'] = errorType
  if (body === undefined) {
    res.writeHead(status, headers).end()
    return
  }
  const text = JSON.stringify(body)
  headers['Content-Type'] = 'application/json'
  res.writeHead(status, headers).end(text)
}

function gone(res: ServerResponse): void {
  send(res, 410, { message: null }, 'GoneException')
}

/** Reads a request body up to `limit` bytes (0: read and discard); 'too-large' past it. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = []
  let size = 0
  let tooLarge = false
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length
      if (limit > 0 && size > limit) tooLarge = true
      else if (limit > 0) chunks.push(chunk)
    }
  } catch (error) {
    throw new ClientAborted(error)
  }
  return tooLarge ? 'too-large' : Buffer.concat(chunks)
}

/** The client went away or broke the body mid-request (clientError has answered it, if it still could). */
class ClientAborted extends Error {
  constructor(cause: unknown) {
    super('the client aborted the request', { cause })
  }
}
