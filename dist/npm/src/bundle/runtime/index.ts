// What TypeScript users import: `import { on } from 'socket-action'`.
import './global.ts'
export { on } from './registry.ts'
export { GoneConnectionError } from './connections.ts'
export type {
  ConnectData,
  ConnectionInfo,
  DisconnectData,
  HandlerResult,
  ProxyResult,
  RouteHandler,
  Socket,
  WebSocketEvent,
} from './types.ts'
