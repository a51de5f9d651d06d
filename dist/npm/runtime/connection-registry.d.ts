import { type ConnectionStore, type Scope, type StoredAttributes } from './connection-store.js';
import type { Attributes, Member } from './types.js';
/** The local gateway's registry endpoint (set by socket-action dev when serverless.yml has `connections: registry`). */
export declare const REGISTRY_URL_VARIABLE = "SOCKET_ACTION_REGISTRY_URL";
/**
 * A 410 for a connection registered this recently is not pruned: the registration is written when `on('connect')`
 * accepts, a moment before API Gateway completes the handshake, and until then a post to it answers 410 as well.
 */
export declare const PRUNE_GRACE_MS = 10000;
/** Posts to a room or to everyone run this many at a time. */
export declare const FAN_OUT_CONCURRENCY = 100;
export declare class RegistryMissingError extends Error {
    readonly name = "RegistryMissingError";
    constructor(method: string);
}
export declare function checkRoom(method: string, room: unknown): string;
/** Splits attributes into JSON text to set and names to remove (`undefined` removes a name). */
export declare function encodeAttributes(attributes: unknown): {
    set: StoredAttributes;
    unset: string[];
};
export declare function decodeAttributes(stored: StoredAttributes | undefined): Attributes;
export interface RegistryOptions {
    store: ConnectionStore;
    /** The connection of the event. */
    self: string;
    /** A $connect event: what the handler joins and sets is written once it accepts the connection. */
    connecting: boolean;
    /** A $disconnect event: posts skip this connection, which is gone. */
    disconnecting: boolean;
    /** Posts one payload; rejects with GoneConnectionError for a connection that is gone. */
    post: (id: string, payload: Uint8Array) => Promise<void>;
    now?: () => number;
}
export declare class ConnectionRegistry {
    private readonly options;
    private readonly store;
    private readonly now;
    /** $connect only: what the connection will be registered with. */
    private pending;
    /** This connection as last read or written in this event. */
    private cached;
    constructor(options: RegistryOptions);
    /** Registers the connection with what the connect handler joined and set (after it accepted). */
    commitConnect(): Promise<void>;
    /** Forgets the connection and its memberships ($disconnect, after its handler ran). */
    unregister(): Promise<void>;
    private self;
    private notRegistered;
    join(room: string): Promise<void>;
    leave(room: string): Promise<void>;
    rooms(): Promise<string[]>;
    set(attributes: Attributes): Promise<void>;
    get(connectionId?: string): Promise<Attributes | undefined>;
    /** Every page of a scope, without the members past their TTL (DynamoDB deletes them only eventually). */
    private pages;
    members(room: string): Promise<Member[]>;
    /** Posts to every member of a scope while its pages are read; resolves to the ids that were gone, and prunes them. */
    fanOut(scope: Scope, payload: Uint8Array, concurrency?: number): Promise<string[]>;
    /**
     * Removes gone connections from the registry, all their memberships and not only the one of `room`: those
     * registered before the grace period (a membership's `at` is its connection's; the store checks the connection's).
     */
    prune(gone: Array<{
        id: string;
        at?: number;
    }>, room?: string): Promise<void>;
}
