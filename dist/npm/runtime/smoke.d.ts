import type { ConnectionRegistry } from './connection-registry.js';
import type { ProxyResult, Socket, WebSocketEvent } from './types.js';
/** The top-level event field that marks a smoke-test invocation (API Gateway never sends it). */
export declare const SMOKE_MARKER = "socketActionSmokeTest";
/** One socket.send (or one id of a broadcast) made during a smoke-test invocation. */
export interface SmokeSend {
    connectionId: string;
    /** The payload as text (UTF-8; what the client would have received). */
    data: string;
}
/** A proxy result with the smoke test's record; API Gateway would ignore the extra field. */
export interface SmokeResult extends ProxyResult {
    smoke: {
        sent: SmokeSend[];
    };
}
/** Where a smoke test's connections are registered: apart from the stage's real ones. */
export declare const SMOKE_NAMESPACE = "smoke#";
export declare function isSmokeTest(event: WebSocketEvent): boolean;
/**
 * A socket whose sends go into `sent`, never to a connection; close and info answer as for a live connection. The
 * registry is the stage's own, in the smoke test's namespace, with its posts recorded too.
 */
export declare function smokeSocket(event: WebSocketEvent, sent: SmokeSend[], registry?: ConnectionRegistry): Socket;
