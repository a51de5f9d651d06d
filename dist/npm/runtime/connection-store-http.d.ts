import type { ConnectionStore, Scope, StoredAttributes, StoredConnection, StoredPage } from './connection-store.js';
/** The header every registry request carries: a browser page cannot send it without a preflight dev never answers. */
export declare const REGISTRY_HEADER = "x-socket-action-registry";
/** The operations of ConnectionStore, by name, as the gateway serves them. */
export type StoreOperation = keyof ConnectionStore;
export declare class HttpConnectionStore implements ConnectionStore {
    private readonly namespace;
    private readonly url;
    constructor(url: string, namespace?: string);
    private request;
    register(connection: StoredConnection): Promise<void>;
    get(id: string): Promise<StoredConnection | undefined>;
    setAttributes(id: string, set: StoredAttributes, unset: string[]): Promise<StoredConnection | undefined>;
    copyAttributes(id: string, rooms: string[], attributes: StoredAttributes, version: number): Promise<void>;
    join(id: string, room: string): Promise<StoredConnection | undefined>;
    leave(id: string, room: string): Promise<void>;
    page(scope: Scope, options: {
        cursor?: string;
        attributes: boolean;
    }): Promise<StoredPage>;
    remove(id: string, rooms: string[], registeredBefore?: number): Promise<boolean>;
}
