import type { ConnectData, DisconnectData, RouteHandler } from './types.js';
/** Routes a client can never select with a frame's `route`: they belong to the connection's lifecycle. */
export declare const LIFECYCLE_ROUTES: Set<string>;
export declare function on(route: 'connect', handler: RouteHandler<ConnectData>): void;
export declare function on(route: 'disconnect', handler: RouteHandler<DisconnectData>): void;
export declare function on(route: string, handler: RouteHandler): void;
export declare function handlerFor(route: string): RouteHandler | undefined;
export declare function registeredRoutes(): string[];
/** Empties the registry; for tests that load several socket files in one process. */
export declare function clearHandlers(): void;
