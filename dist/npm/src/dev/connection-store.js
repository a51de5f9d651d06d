// The connection registry of `socket-action dev`: one store in the gateway's process that every execution environment
// reaches over HTTP (runtime/connection-store-http.ts), with the semantics the DynamoDB table has on AWS
// (runtime/connection-store-dynamodb.ts): the same items and keys, id order, pages of at most 1 MB, the 400 KB item
// limit, and members past their TTL kept until something deletes them.
import { ItemTooLargeError, itemSize, MAX_ITEM_BYTES, } from "../../runtime/connection-store.js";
/** DynamoDB stops a Query page at 1 MB of items read. */
const PAGE_BYTES = 1024 * 1024;
/** Every partition of the gateway's registry, smoke-test namespaces included. */
export class RegistryData {
    partitions = new Map();
    partition(key, create = false) {
        let found = this.partitions.get(key);
        if (!found && create) {
            found = { items: new Map() };
            this.partitions.set(key, found);
        }
        return found;
    }
    put(key, id, item) {
        const partition = this.partition(key, true);
        if (!partition.items.has(id))
            partition.sorted = undefined;
        partition.items.set(id, item);
    }
    delete(key, id) {
        const partition = this.partition(key);
        if (!partition?.items.delete(id))
            return;
        partition.sorted = undefined;
        if (partition.items.size === 0)
            this.partitions.delete(key);
    }
    /** How many connections are registered (every namespace), for tests and the dev log. */
    get connectionCount() {
        let n = 0;
        for (const [key, partition] of this.partitions)
            if (key.endsWith('all'))
                n += partition.items.size;
        return n;
    }
}
const copy = (attributes) => ({ ...attributes });
export class MemoryConnectionStore {
    data;
    namespace;
    constructor(data, namespace = '') {
        this.data = data;
        this.namespace = namespace;
    }
    key(scope) {
        return 'room' in scope ? `${this.namespace}room#${scope.room}` : `${this.namespace}all`;
    }
    connection(id) {
        return this.data.partition(this.key({ all: true }))?.items.get(id);
    }
    view(id, item) {
        return {
            id,
            at: item.at,
            expires: item.expires,
            attributes: copy(item.attributes),
            rooms: [...(item.rooms ?? [])],
        };
    }
    async register(c) {
        if (itemSize(c) > MAX_ITEM_BYTES)
            throw new ItemTooLargeError(c.id, itemSize(c));
        const common = { at: c.at, expires: c.expires };
        this.data.put(this.key({ all: true }), c.id, { ...common, attributes: copy(c.attributes), rooms: new Set(c.rooms) });
        for (const room of c.rooms)
            this.data.put(this.key({ room }), c.id, { ...common, attributes: copy(c.attributes) });
    }
    async get(id) {
        const item = this.connection(id);
        return item && this.view(id, item);
    }
    async setAttributes(id, set, unset) {
        const item = this.connection(id);
        if (!item)
            return undefined;
        const attributes = { ...item.attributes, ...set };
        for (const name of unset)
            delete attributes[name];
        const size = itemSize({ id, attributes, rooms: [...(item.rooms ?? [])] });
        if (size > MAX_ITEM_BYTES)
            throw new ItemTooLargeError(id, size);
        item.attributes = attributes;
        return this.view(id, item);
    }
    async copyAttributes(id, rooms, attributes) {
        for (const room of rooms) {
            const member = this.data.partition(this.key({ room }))?.items.get(id);
            if (member)
                member.attributes = copy(attributes);
        }
    }
    async join(id, room) {
        const item = this.connection(id);
        if (!item)
            return false;
        item.rooms ??= new Set();
        item.rooms.add(room);
        this.data.put(this.key({ room }), id, { at: item.at, expires: item.expires, attributes: copy(item.attributes) });
        return true;
    }
    async leave(id, room) {
        this.connection(id)?.rooms?.delete(room);
        this.data.delete(this.key({ room }), id);
    }
    async page(scope, options) {
        const partition = this.data.partition(this.key(scope));
        if (!partition)
            return { members: [] };
        partition.sorted ??= [...partition.items.keys()].sort();
        const ids = partition.sorted;
        let start = 0;
        if (options.cursor !== undefined) {
            // The first id after the cursor (binary search: pages of a large room stay cheap).
            let low = 0;
            let high = ids.length;
            while (low < high) {
                const mid = (low + high) >> 1;
                if (ids[mid] <= options.cursor)
                    low = mid + 1;
                else
                    high = mid;
            }
            start = low;
        }
        const members = [];
        let bytes = 0;
        for (let i = start; i < ids.length; i++) {
            const id = ids[i];
            const item = partition.items.get(id);
            bytes += itemSize({ id, attributes: item.attributes, rooms: [...(item.rooms ?? [])] });
            members.push({
                id,
                at: item.at,
                expires: item.expires,
                ...(options.attributes ? { attributes: copy(item.attributes) } : {}),
            });
            // DynamoDB reads up to 1 MB and returns where it stopped, even when nothing follows.
            if (bytes >= PAGE_BYTES)
                return { members, next: id };
        }
        return { members };
    }
    async remove(id, rooms) {
        this.data.delete(this.key({ all: true }), id);
        for (const room of rooms)
            this.data.delete(this.key({ room }), id);
    }
}
const OPERATIONS = new Set([
    'register',
    'get',
    'setAttributes',
    'copyAttributes',
    'join',
    'leave',
    'page',
    'remove',
]);
/** Answers one registry request of an execution environment: `{ op, args, namespace }` in, `{ result }` or `{ error }` out. */
export async function answerRegistryRequest(data, request) {
    const { op, args, namespace } = (request ?? {});
    if (typeof op !== 'string' || !OPERATIONS.has(op) || !Array.isArray(args))
        return { error: { name: 'BadRequest', message: `not a registry operation: ${JSON.stringify(op)}` } };
    const store = new MemoryConnectionStore(data, typeof namespace === 'string' ? namespace : '');
    try {
        const method = store[op];
        return { result: (await method.apply(store, args)) ?? null };
    }
    catch (error) {
        const e = error;
        return { error: { name: e.name, message: e.message } };
    }
}
