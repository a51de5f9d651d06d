import type { ConnectData, DisconnectData, RouteHandler } from './types.ts'

const handlers = new Map<string, RouteHandler>()

/** Routes a client can never select with a frame's `route`: they belong to the connection's lifecycle. */
export const LIFECYCLE_ROUTES = new Set(['connect', 'disconnect', 'default'])

export function on(route: 'connect', handler: RouteHandler<ConnectData>): void
export function on(route: 'disconnect', handler: RouteHandler<DisconnectData>): void
export function on(route: string, handler: RouteHandler): void
export function on(route: string, handler: RouteHandler): void {
  if (typeof route !== 'string' || route === '') {
    throw new TypeError(`on(route, handler): route must be a non-empty string, got ${JSON.stringify(route)}`)
  }
  if (typeof handler !== 'function') {
    throw new TypeError(`on("${route}", handler): handler must be a function`)
  }
  handlers.set(route, handler)
}

export function handlerFor(route: string): RouteHandler | undefined {
  return handlers.get(route)
}

export function registeredRoutes(): string[] {
  return [...handlers.keys()]
}

/** Empties the registry; for tests that load several socket files in one process. */
export function clearHandlers(): void {
  handlers.clear()
}
