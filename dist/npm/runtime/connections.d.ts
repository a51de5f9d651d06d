import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConnectionInfo } from './types.js';
/** A connection that is closed or never existed (HTTP 410 GoneException). Prune its id. */
export declare class GoneConnectionError extends Error {
    readonly connectionId: string;
    readonly name = "GoneConnectionError";
    constructor(connectionId: string, options?: {
        cause?: unknown;
    });
}
/**
 * The standard SDK variable for this service's endpoint. `socket-action dev` sets it to the local gateway; on AWS it is
 * unset unless the user points the function somewhere else on purpose.
 */
export declare const ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI";
/**
 * Where the @connections API of the API that sent `event` lives: `https://{apiId}.execute-api.{region}.{suffix}/{stage}`.
 * Built from the API id and the function's region, never from `domainName`, which is the custom domain when one is
 * mapped (and a custom domain has no @connections API).
 */
export declare function connectionsEndpoint(context: {
    apiId: string;
    stage: string;
}, env?: Record<string, string | undefined>): string;
export declare function clientFor(endpoint: string): ApiGatewayManagementApiClient;
type SourceData = string | ArrayBuffer | ArrayBufferView;
/** SHA-256 (or HMAC-SHA256 given a secret) in the SDK's `Checksum` shape, for the client's `sha256` option. */
export declare class KeyedSha256 {
    private readonly secret?;
    private hash;
    constructor(secret?: SourceData | undefined);
    private create;
    update(data: SourceData): void;
    digest(): Promise<Uint8Array>;
    reset(): void;
}
export declare function encode(data: unknown): Uint8Array;
/** Makes every send of this client go through the SDK client alone, as before the fast path (the benchmark's baseline). */
export declare function sendThroughSdk(client: ApiGatewayManagementApiClient): void;
export declare function postToConnection(client: ApiGatewayManagementApiClient, connectionId: string, data: Uint8Array): Promise<void>;
export declare function deleteConnection(client: ApiGatewayManagementApiClient, connectionId: string): Promise<void>;
export declare function getConnection(client: ApiGatewayManagementApiClient, connectionId: string): Promise<ConnectionInfo>;
/** Posts one payload to many connections, at most `concurrency` at a time. Resolves to the gone ids; other failures reject together at the end. */
export declare function broadcast(client: ApiGatewayManagementApiClient, data: unknown, connectionIds: Iterable<string>, concurrency?: number): Promise<string[]>;
export {};
