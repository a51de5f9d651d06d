import type { ConnectionRegistry } from './connection-registry.js';
import type { HandlerResult, LambdaContext, ProxyResult, Socket, WebSocketEvent } from './types.js';
export interface Dispatch {
    route: string;
    data: unknown;
}
/** Which socket.js route an event goes to, and the `data` it gets. Reads the body itself, whatever routeKey the API delivered. */
export declare function dispatchOf(event: WebSocketEvent): Dispatch;
/** A socket call still running, and where socket.js made it. */
interface PendingCall {
    method: string;
    site: {
        stack?: string;
    };
    /** The handler returned while this call was running. */
    orphaned?: boolean;
}
export declare function socketFor(event: WebSocketEvent, pending?: Set<PendingCall>, registry?: ConnectionRegistry): Socket;
/** A number is the status; `{statusCode}` passes through; nothing is 200; any other value is a 200 body. */
export declare function toProxyResult(value: HandlerResult): ProxyResult;
export declare function handle(event: WebSocketEvent, _context?: LambdaContext): Promise<ProxyResult>;
export {};
