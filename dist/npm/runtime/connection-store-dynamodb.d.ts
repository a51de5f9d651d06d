import { type ConnectionStore, type Scope, type StoredAttributes, type StoredConnection, type StoredPage } from './connection-store.js';
export declare class DynamoConnectionStore implements ConnectionStore {
    readonly table: string;
    private readonly namespace;
    /** `namespace` keeps a smoke test's connections apart from the stage's real ones. */
    constructor(table: string, namespace?: string);
    private key;
    private partition;
    /** Runs a call, with the table's name and what to do in the error a person reads. */
    private call;
    /** BatchWriteItem in chunks of 25, writing again what DynamoDB left unprocessed (with backoff, as AWS advises). */
    private batchWrite;
    /**
     * UpdateItem on an item that must exist (the connection's, or a membership): the item after the update, or
     * undefined when it does not exist (a connection that is gone, a membership that was left).
     */
    private updateExisting;
    private transact;
    /** A transaction's change of the rooms on a connection's item, which must exist (and be at `version`, if given). */
    private roomChange;
    register(connection: StoredConnection): Promise<void>;
    get(id: string): Promise<StoredConnection | undefined>;
    setAttributes(id: string, set: StoredAttributes, unset: string[]): Promise<StoredConnection | undefined>;
    copyAttributes(id: string, rooms: string[], attributes: StoredAttributes, version: number): Promise<void>;
    join(id: string, room: string, known?: StoredConnection): Promise<StoredConnection | undefined>;
    leave(id: string, room: string): Promise<void>;
    page(scope: Scope, options: {
        cursor?: string;
        attributes: boolean;
    }): Promise<StoredPage>;
    remove(id: string, rooms: string[], registeredBefore?: number): Promise<boolean>;
}
