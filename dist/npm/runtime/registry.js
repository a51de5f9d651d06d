const handlers = new Map();
/** Routes a client can never select with a frame's `route`: they belong to the connection's lifecycle. */
export const LIFECYCLE_ROUTES = new Set(['connect', 'disconnect', 'default']);
export function on(route, handler) {
    if (typeof route !== 'string' || route === '') {
        throw new TypeError(`on(route, handler): route must be a non-empty string, got ${JSON.stringify(route)}`);
    }
    if (typeof handler !== 'function') {
        throw new TypeError(`on("${route}", handler): handler must be a function`);
    }
    handlers.set(route, handler);
}
export function handlerFor(route) {
    return handlers.get(route);
}
export function registeredRoutes() {
    return [...handlers.keys()];
}
/** Empties the registry; for tests that load several socket files in one process. */
export function clearHandlers() {
    handlers.clear();
}
