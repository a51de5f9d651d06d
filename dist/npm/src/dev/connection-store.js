// The connection registry of `socket-action dev`: one store in the gateway's process that every execution environment
// reaches over HTTP (runtime/connection-store-http.ts), with the semantics the DynamoDB table has on AWS
// (runtime/connection-store-dynamodb.ts): the same items and keys, id order, pages of at most 1 MB, the 400 KB item
// limit, and members past their TTL kept until something deletes them.
import { randomBytes } from 'node:crypto';
import { ItemTooLargeError, itemSize, MAX_ITEM_BYTES, } from "../../runtime/connection-store.js";
/** DynamoDB stops a Query page at 1 MB of items read. */
const PAGE_BYTES = 1024 * 1024;
/** Every partition of the gateway's registry, smoke-test namespaces included. */
export class RegistryData {
    partitions = new Map();
    /**
     * The last segment of the registry's path, new for each run of dev: only the function's environments know it (it is
     * in their SOCKET_ACTION_REGISTRY_URL), so a page that rebinds a hostname to 127.0.0.1, or a client on the network
     * when dev listens on another address, cannot list the connections.
     */
    token = randomBytes(16).toString('hex');
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
        // `all` or `{namespace}#all`; a room's partition is `{namespace}room#{name}`, whatever its name ends with.
        for (const [key, partition] of this.partitions)
            if (/^([a-z]+#)?all$/.test(key))
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
            version: item.version,
            rooms: [...(item.rooms ?? [])],
        };
    }
    async register(c) {
        if (itemSize(c) > MAX_ITEM_BYTES)
            throw new ItemTooLargeError('join', c.id, itemSize(c));
        const common = { at: c.at, expires: c.expires, version: c.version };
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
            throw new ItemTooLargeError('set', id, size);
        item.attributes = attributes;
        item.version++;
        return this.view(id, item);
    }
    async copyAttributes(id, rooms, attributes, version) {
        for (const room of rooms) {
            const member = this.data.partition(this.key({ room }))?.items.get(id);
            if (member && member.version < version)
                Object.assign(member, { attributes: copy(attributes), version });
        }
    }
    async join(id, room) {
        const item = this.connection(id);
        if (!item)
            return undefined;
        const rooms = new Set(item.rooms).add(room);
        const size = itemSize({ id, attributes: item.attributes, rooms: [...rooms] });
        if (size > MAX_ITEM_BYTES)
            throw new ItemTooLargeError('join', id, size);
        item.rooms = rooms;
        const { at, expires, version } = item;
        this.data.put(this.key({ room }), id, { at, expires, version, attributes: copy(item.attributes) });
        return this.view(id, item);
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
    async remove(id, rooms, registeredBefore) {
        const item = this.connection(id);
        if (item && registeredBefore !== undefined && item.at >= registeredBefore)
            return false;
        this.data.delete(this.key({ all: true }), id);
        for (const room of new Set([...(item?.rooms ?? []), ...rooms]))
            this.data.delete(this.key({ room }), id);
        return true;
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
