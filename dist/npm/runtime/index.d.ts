import './global.js';
export { on } from './registry.js';
export { GoneConnectionError } from './connections.js';
export { RegistryMissingError } from './connection-registry.js';
export { ItemTooLargeError } from './connection-store.js';
export type { Attributes, ConnectData, ConnectionInfo, DisconnectData, HandlerResult, Member, ProxyResult, Room, RouteHandler, Socket, WebSocketEvent, } from './types.js';
