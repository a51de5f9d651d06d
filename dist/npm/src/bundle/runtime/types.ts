// Types of what a socket.js handler sees. Event shapes follow API Gateway v2 WebSocket Lambda proxy events.

export interface RequestContext {
  routeKey: string
  eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT'
  connectionId: string
  domainName: string
  stage: string
  apiId: string
  requestId: string
  extendedRequestId?: string
  requestTime?: string
  requestTimeEpoch?: number
  connectedAt?: number
  messageDirection?: 'IN'
  messageId?: string
  disconnectStatusCode?: number
  disconnectReason?: string
  identity?: { sourceIp?: string; userAgent?: string }
}

export interface WebSocketEvent {
  requestContext: RequestContext
  isBase64Encoded?: boolean
  body?: string
  headers?: Record<string, string>
  multiValueHeaders?: Record<string, string[]>
  queryStringParameters?: Record<string, string>
  multiValueQueryStringParameters?: Record<string, string[]>
}

export interface LambdaContext {
  awsRequestId?: string
  functionName?: string
  getRemainingTimeInMillis?: () => number
}

export interface ProxyResult {
  statusCode: number
  headers?: Record<string, string>
  body?: string
}

/** `data` of the `connect` route. */
export interface ConnectData {
  headers: Record<string, string>
  query: Record<string, string>
}

/** `data` of the `disconnect` route. */
export interface DisconnectData {
  statusCode: number | undefined
  reason: string
}

export interface ConnectionInfo {
  connectedAt?: Date
  lastActiveAt?: Date
  identity?: { sourceIp?: string; userAgent?: string }
}

export interface Socket {
  /** This connection's id. */
  readonly id: string
  readonly domain: string
  readonly stage: string
  /** The raw Lambda event. */
  readonly event: WebSocketEvent
  /** Sends to a connection (this one by default). Non-strings are JSON-encoded. Rejects with GoneConnectionError for a closed id. */
  send(data: unknown, connectionId?: string): Promise<void>
  /** Closes a connection (this one by default); its `disconnect` handler runs. */
  close(connectionId?: string): Promise<void>
  /** Reads a connection's metadata (this one by default). */
  info(connectionId?: string): Promise<ConnectionInfo>
  /**
   * Sends to many connections with bounded concurrency (32 by default); resolves to the ids that are gone. Without ids
   * (connection registry): to every connection of the stage, 100 at a time, and the gone ones are pruned.
   */
  broadcast(data: unknown, connectionIds?: Iterable<string>, options?: { concurrency?: number }): Promise<string[]>

  // ---- the connection registry (serverless.yml `connections: registry`): the same in every execution environment ----

  /** Adds this connection to a room (1 to 128 printable characters); a connection can be in several. */
  join(room: string): Promise<void>
  /** Takes this connection out of a room. */
  leave(room: string): Promise<void>
  /** The rooms this connection is in. */
  rooms(): Promise<string[]>
  /** A room, to send to every member (this connection included): resolves to the ids that were gone (pruned). */
  to(room: string): Room
  /** Every member of a room with its attributes, for presence. */
  members(room: string): Promise<Member[]>
  /** Merges attributes into this connection's (a name set to `undefined` is removed); JSON values, 400 KB in all. */
  set(attributes: Attributes): Promise<void>
  /** This connection's attributes, or another registered connection's (undefined when it is not registered). */
  get(): Promise<Attributes>
  get(connectionId: string): Promise<Attributes | undefined>
}

/** Per-connection attributes: JSON values by name. */
export type Attributes = Record<string, unknown>

/** A room's member: its connection id and its attributes. */
export type Member = { id: string } & Attributes

export interface Room {
  /** Sends to every member, 100 at a time; resolves to the ids that were gone, which are pruned from the registry. */
  send(data: unknown, options?: { concurrency?: number }): Promise<string[]>
}

/** What a handler may return: a status code, a full proxy result, a body, or nothing (200). */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler written `() => { ... }` returns void, and must type-check.
export type HandlerResult = number | ProxyResult | string | Record<string, unknown> | void | undefined | null

// biome-ignore lint/suspicious/noExplicitAny: `any` lets a handler annotate its own data type (`(data: Chat) => ...`).
export type RouteHandler<D = any> = (data: D, socket: Socket) => HandlerResult | Promise<HandlerResult>
