// Smoke-test invocations: socket-action invokes a freshly published version directly (never through API Gateway)
// before moving traffic to it, with events marked by a top-level field AWS never sends. For those, the socket records
// what the handler sends instead of calling the @connections API, and the result carries the record back.
import type { ConnectionRegistry } from './connection-registry.ts'
import { encode } from './connections.ts'
import { broadcastToAll, registrySocket } from './registry-socket.ts'
import type { ConnectionInfo, ProxyResult, Socket, WebSocketEvent } from './types.ts'

/** The top-level event field that marks a smoke-test invocation (API Gateway never sends it). */
export const SMOKE_MARKER = 'socketActionSmokeTest'

/** One socket.send (or one id of a broadcast) made during a smoke-test invocation. */
export interface SmokeSend {
  connectionId: string
  /** The payload as text (UTF-8; what the client would have received). */
  data: string
}

/** A proxy result with the smoke test's record; API Gateway would ignore the extra field. */
export interface SmokeResult extends ProxyResult {
  smoke: { sent: SmokeSend[] }
}

/** Where a smoke test's connections are registered: apart from the stage's real ones. */
export const SMOKE_NAMESPACE = 'smoke#'

export function isSmokeTest(event: WebSocketEvent): boolean {
  return (event as WebSocketEvent & { [SMOKE_MARKER]?: unknown })[SMOKE_MARKER] === true
}

/**
 * A socket whose sends go into `sent`, never to a connection; close and info answer as for a live connection. The
 * registry is the stage's own, in the smoke test's namespace, with its posts recorded too.
 */
export function smokeSocket(event: WebSocketEvent, sent: SmokeSend[], registry?: ConnectionRegistry): Socket {
  const { connectionId, domainName, stage, connectedAt, identity } = event.requestContext
  const record = (data: unknown, id: string) => {
    sent.push({ connectionId: id, data: Buffer.from(encode(data)).toString('utf8') })
  }
  return {
    id: connectionId,
    domain: domainName,
    stage,
    event,
    send: async (data, id = connectionId) => record(data, id),
    close: async () => undefined,
    info: async (): Promise<ConnectionInfo> => ({
      ...(connectedAt !== undefined && { connectedAt: new Date(connectedAt) }),
      lastActiveAt: new Date(),
      ...(identity && { identity }),
    }),
    broadcast: async (data, ids) => {
      if (ids === undefined) return broadcastToAll(registry, data)
      for (const id of new Set(ids)) record(data, id)
      return []
    },
    ...registrySocket(registry, (_method, _caller, start) => start()),
  }
}
