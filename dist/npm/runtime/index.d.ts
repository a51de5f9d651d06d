import './global.js';
export { on } from './registry.js';
export { GoneConnectionError } from './connections.js';
export type { ConnectData, ConnectionInfo, DisconnectData, HandlerResult, ProxyResult, RouteHandler, Socket, WebSocketEvent, } from './types.js';
