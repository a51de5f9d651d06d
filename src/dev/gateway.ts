// A local API Gateway v2 WebSocket API: $connect before the upgrade, route selection, the @connections API,
// frame limits and timeouts, as described in shared/reference/apigw-websocket.md.
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket as NetSocket } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { toProxyResult } from '../../runtime/handler.ts'
import { stackOrigin } from '../bundle/sourcemap.ts'
import type { HandlerResult, ProxyResult, WebSocketEvent } from '../../runtime/types.ts'
import { connectEvent, connectionId, disconnectEvent, messageEvent, type ApiFacts, type ConnectionFacts } from './events.ts'
import type { Invocation, Invoke } from './lambda.ts'

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
}

export const AWS_LIMITS: GatewayLimits = {
  frameBytes: 32 * 1024,
  payloadBytes: 128 * 1024,
  idleTimeoutMs: 10 * 60 * 1000,
  maxDurationMs: 2 * 60 * 60 * 1000,
  integrationTimeoutMs: 29_000,
  connectionsPerSecond: 500,
}

export interface GatewayOptions {
  invoke: Invoke
  stage: string
  apiId?: string
  host?: string
  /** 0 picks a free port. */
  port?: number
  /** The function's own timeout in ms (serverless.yml `timeout`). */
  functionTimeoutMs?: number
  limits?: Partial<GatewayLimits>
  /** Never deliver $disconnect, as AWS may not ("best effort"), so code that prunes stale ids can be tested. */
  dropDisconnect?: boolean
  /** One line per invocation and per gateway event. */
  log?: (line: string) => void
  /** The code folder and the bundle's file name in it: a failed invocation's log line names the user's frame. */
  source?: () => { codeDir: string; bundleFile: string }
}

interface Connection extends ConnectionFacts {
  state: 'connecting' | 'open' | 'closed'
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

  constructor(private readonly options: GatewayOptions) {
    this.limits = { ...AWS_LIMITS, ...options.limits }
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.limits.frameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (_protocols, req) => (req as IncomingMessage & { [WS_GUID_PROTOCOL]?: string })[WS_GUID_PROTOCOL] ?? false,
    })
    // A request the gateway did not foresee answers 500 and is logged: it never takes `dev` down.
    this.server = createServer((req, res) =>
      this.onRequest(req, res).catch((error: Error) => {
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
    this.server.keepAliveTimeout = 60_000
  }

  async listen(): Promise<{ url: string; connectionsUrl: string; port: number }> {
    const host = this.options.host ?? '127.0.0.1'
    const port = this.options.port ?? 3001
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} on ${host} is in use: stop what holds it, or pass --port 0 for a free port`) : error),
      )
      this.server.listen(port, host, () => resolve())
    })
    this.port = (this.server.address() as AddressInfo).port
    const hostPort = `${host.includes(':') ? `[${host}]` : host}:${this.port}`
    this.api = { apiId: this.options.apiId ?? 'local', domainName: hostPort, stage: this.options.stage }
    return {
      url: `ws://${hostPort}/${this.options.stage}`,
      connectionsUrl: `http://${hostPort}/${this.options.stage}/@connections`,
      port: this.port,
    }
  }

  get connectionCount(): number {
    return [...this.connections.values()].filter((c) => c.state === 'open').length
  }

  async close(): Promise<void> {
    for (const conn of this.connections.values()) conn.ws?.terminate()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.server.closeAllConnections()
    await Promise.allSettled([...this.inflight])
  }

  /** `Name: message`, and where it was thrown in the user's code (source-mapped): `Error: boom (socket.js:6:9)`. */
  private describe(error: { name: string; message: string; stack?: string }): string {
    const source = this.options.source?.()
    const origin = source && stackOrigin(error.stack, source.codeDir, source.bundleFile)
    return `${error.name}: ${error.message}${origin ? ` (${origin})` : ''}`
  }

  private timeoutMs(): number {
    return Math.min(this.limits.integrationTimeoutMs, this.options.functionTimeoutMs ?? Infinity)
  }

  private async run(routeKey: string, conn: Connection, event: WebSocketEvent): Promise<Invocation> {
    const call = this.options.invoke(event, this.timeoutMs())
    this.inflight.add(call)
    try {
      const outcome = await call
      const status = outcome.ok ? String(normalize(outcome.result).statusCode) : outcome.reason === 'timeout' ? 'timeout' : 'error'
      this.options.log?.(`${routeKey.padEnd(12)} ${conn.connectionId}  ${status.padEnd(7)} ${outcome.ms}ms${outcome.ok ? '' : `  ${this.describe(outcome.error)}`}`)
      return outcome
    } finally {
      this.inflight.delete(call)
    }
  }

  // ---- handshake -------------------------------------------------------------------------------------------------

  private async onUpgrade(req: IncomingMessage, socket: NetSocket, head: Buffer): Promise<void> {
    const path = pathOf(req)?.replace(/\/+$/, '')
    if (path === undefined) return reject(socket, 400, { message: 'Bad Request' })
    if (path !== '' && path !== `/${this.options.stage}`) return reject(socket, 403, { message: 'Forbidden' })
    const now = Date.now()
    this.recentConnects = this.recentConnects.filter((t) => now - t < 1000)
    if (this.recentConnects.length >= this.limits.connectionsPerSecond) return reject(socket, 429, { message: 'Too Many Requests' })
    this.recentConnects.push(now)

    const conn: Connection = {
      connectionId: connectionId(),
      connectedAt: now,
      lastActiveAt: now,
      sourceIp: (socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      userAgent: req.headers['user-agent'] ?? '',
      state: 'connecting',
    }
    this.connections.set(conn.connectionId, conn)
    let socketClosed = false
    socket.once('close', () => (socketClosed = true))

    const outcome = await this.run('$connect', conn, connectEvent(this.api, conn, req, this.port))
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
    const protocol = Object.entries(result.headers ?? {}).find(([k]) => k.toLowerCase() === 'sec-websocket-protocol')?.[1]
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
   * `route` itself), and routes are one-way: what the handler returns is not sent back.
   */
  private async onMessage(conn: Connection, body: string): Promise<void> {
    const routeKey = '$default'
    const event = messageEvent(this.api, conn, routeKey, body)
    const outcome = await this.run(routeKey, conn, event)
    if (conn.state === 'open' && !outcome.ok) {
      const frame = { message: 'Internal server error', connectionId: conn.connectionId, requestId: event.requestContext.requestId }
      conn.ws!.send(JSON.stringify(frame))
    }
  }

  private async onClose(conn: Connection, code: number, reason: string): Promise<void> {
    if (conn.state === 'closed') return
    conn.state = 'closed'
    clearTimeout(conn.idleTimer)
    clearTimeout(conn.maxTimer)
    if (!this.options.dropDisconnect) await this.run('$disconnect', conn, disconnectEvent(this.api, conn, code, reason))
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
    if (path === undefined) {
      await readBody(req, 0)
      return send(res, 400, { message: 'Bad Request' }, 'BadRequestException')
    }
    const match = /^\/([^/]+)\/@connections\/([^/]+)$/.exec(path)
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
      if (body === 'too-large') return send(res, 413, { message: 'Request entity too large' }, 'PayloadTooLargeException')
      if (!isOpen(conn)) return gone(res)
      conn!.ws!.send(body.toString('utf8'))
      this.touch(conn)
      return send(res, 200)
    }
    await readBody(req, 0)
    if (!isOpen(conn)) return gone(res)
    if (req.method === 'GET') {
      return send(res, 200, {
        connectedAt: new Date(conn.connectedAt).toISOString(),
        identity: { sourceIp: conn.sourceIp, userAgent: conn.userAgent },
        lastActiveAt: new Date(conn.lastActiveAt).toISOString(),
      })
    }
    if (req.method === 'DELETE') {
      conn.ws!.close(1000)
      return send(res, 204)
    }
    return send(res, 405, { message: 'Method Not Allowed' })
  }
}

/** The request's path, or undefined when its target is not a URL at all (`GET http://[ HTTP/1.1`). */
function pathOf(req: IncomingMessage): string | undefined {
  try {
    return new URL(req.url ?? '/', 'http://local').pathname
  } catch {
    return undefined
  }
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
function reject(socket: NetSocket, status: number, body: unknown): void {
  if (socket.destroyed) return
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  )
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
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (limit > 0 && size > limit) tooLarge = true
    else if (limit > 0) chunks.push(chunk)
  }
  return tooLarge ? 'too-large' : Buffer.concat(chunks)
}
