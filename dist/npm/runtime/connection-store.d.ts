/** Attribute values as JSON text, by name: merged per name, and read back exactly as written. */
export type StoredAttributes = Record<string, string>;
/** A registered connection: the item that lists it among the stage's connections. */
export interface StoredConnection {
    id: string;
    /** When it was registered (epoch ms). */
    at: number;
    /** When the store may forget it (epoch seconds, DynamoDB's TTL): a little past API Gateway's 2-hour maximum. */
    expires: number;
    attributes: StoredAttributes;
    rooms: string[];
}
/** One connection of a scope (a room, or every connection), as one page lists it. */
export interface StoredMember {
    id: string;
    at: number;
    expires: number;
    /** Only when the page was read with attributes. */
    attributes?: StoredAttributes;
}
/** Every connection of the stage, or the members of one room. */
export type Scope = {
    room: string;
} | {
    all: true;
};
export interface StoredPage {
    members: StoredMember[];
    /** Where the next page starts; absent on the last page. */
    next?: string;
}
export interface ConnectionStore {
    /** Writes the connection and its memberships of `rooms`. */
    register(connection: StoredConnection): Promise<void>;
    /** The connection, read after every write that finished before (strongly consistent). */
    get(id: string): Promise<StoredConnection | undefined>;
    /** Merges attributes (`unset` names go); undefined when the connection is not registered. */
    setAttributes(id: string, set: StoredAttributes, unset: string[]): Promise<StoredConnection | undefined>;
    /** Gives the memberships of `rooms` the connection's attributes (a membership that is gone stays gone). */
    copyAttributes(id: string, rooms: string[], attributes: StoredAttributes): Promise<void>;
    /** Adds `room` to the connection and writes the membership; false when the connection is not registered. */
    join(id: string, room: string): Promise<boolean>;
    /** Removes `room` from the connection and deletes the membership. */
    leave(id: string, room: string): Promise<void>;
    /** One page of a scope, in id order; `attributes` reads each member's attributes too. */
    page(scope: Scope, options: {
        cursor?: string;
        attributes: boolean;
    }): Promise<StoredPage>;
    /** Deletes the connection and its memberships of `rooms`. */
    remove(id: string, rooms: string[]): Promise<void>;
}
/** API Gateway closes a connection after 2 hours at the latest; the store keeps it 10 minutes longer. */
export declare const CONNECTION_TTL_SECONDS: number;
/** DynamoDB's largest item: 400 KB, counted as itemSize counts. */
export declare const MAX_ITEM_BYTES: number;
/**
 * DynamoDB's size of a connection item (names and values in UTF-8 bytes, a map's 3 bytes plus 1 per element), for the
 * 400 KB limit: both stores refuse a write that would make an item larger.
 */
export declare function itemSize(connection: Pick<StoredConnection, 'id' | 'attributes' | 'rooms'>): number;
export declare class ItemTooLargeError extends RangeError {
    readonly name = "ItemTooLargeError";
    constructor(id: string, size?: number);
}
