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
export declare function isSmokeTest(event: WebSocketEvent): boolean;
/** A socket whose sends go into `sent`, never to a connection; close and info answer as for a live connection. */
export declare function smokeSocket(event: WebSocketEvent, sent: SmokeSend[]): Socket;
