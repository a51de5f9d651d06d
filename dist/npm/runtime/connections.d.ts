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
/** `https://{domainName}/{stage}` on AWS; plain http when the domain is the local gateway on loopback. */
export declare function connectionsEndpoint(domainName: string, stage: string): string;
export declare function clientFor(domainName: string, stage: string): ApiGatewayManagementApiClient;
export declare function encode(data: unknown): Uint8Array;
export declare function postToConnection(client: ApiGatewayManagementApiClient, connectionId: string, data: Uint8Array): Promise<void>;
export declare function deleteConnection(client: ApiGatewayManagementApiClient, connectionId: string): Promise<void>;
export declare function getConnection(client: ApiGatewayManagementApiClient, connectionId: string): Promise<ConnectionInfo>;
/** Posts one payload to many connections, at most `concurrency` at a time. Resolves to the gone ids; other failures reject together at the end. */
export declare function broadcast(client: ApiGatewayManagementApiClient, data: unknown, connectionIds: Iterable<string>, concurrency?: number): Promise<string[]>;
