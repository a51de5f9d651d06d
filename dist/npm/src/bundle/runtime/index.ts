// What TypeScript users import: `import { on } from 'socket-action'`.
import './global.ts'
export { on } from './registry.ts'
export { GoneConnectionError } from './connections.ts'
export { RegistryMissingError } from './connection-registry.ts'
export { ItemTooLargeError } from './connection-store.ts'
export type {
  Attributes,
  ConnectData,
  ConnectionInfo,
  DisconnectData,
  HandlerResult,
  Member,
  ProxyResult,
  Room,
  RouteHandler,
  Socket,
  WebSocketEvent,
} from './types.ts'
