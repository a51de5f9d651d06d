import { ConnectionRegistry } from './connection-registry.js';
import type { ConnectionStore } from './connection-store.js';
import type { Socket, WebSocketEvent } from './types.js';
/** The stage's registry store (DynamoDB on AWS, the gateway's in `dev`), or undefined without `connections: registry`. */
export declare function storeOf(namespace?: string, env?: Record<string, string | undefined>): ConnectionStore | undefined;
/** The registry of one event, or undefined when the stage has none. */
export declare function registryOf(event: WebSocketEvent, post: (id: string, payload: Uint8Array) => Promise<void>, namespace?: string): ConnectionRegistry | undefined;
type RegistryMethods = Pick<Socket, 'join' | 'leave' | 'rooms' | 'to' | 'members' | 'set' | 'get'>;
/** `socket.broadcast(data)` without ids: every connection of the stage. */
export declare function broadcastToAll(registry: ConnectionRegistry | undefined, data: unknown, concurrency?: number): Promise<string[]>;
/** The registry methods of a socket, each failing with what to add to serverless.yml when the stage has no registry. */
export declare function registrySocket(registry: ConnectionRegistry | undefined, track: <T>(method: string, caller: (...args: never[]) => unknown, start: () => Promise<T>) => Promise<T>): RegistryMethods;
export {};
