import { ItemTooLargeError, } from "./connection-store.js";
let sdk;
const clients = new Map();
/**
 * In the Lambda bundle (CommonJS), `require`: it finds the SDK the Lambda runtime ships through NODE_PATH, as the
 * bundle's other SDK imports do, where an ES module import() would not look. Run from source (tests), an import().
 */
function loadSdk() {
    return typeof require === 'function'
        ? Promise.resolve(require('@aws-sdk/client-dynamodb'))
        : import('@aws-sdk/client-dynamodb');
}
async function clientOf() {
    sdk ??= loadSdk();
    const loaded = await sdk;
    let client = clients.get('default');
    if (!client) {
        client = new loaded.DynamoDBClient({ cacheMiddleware: true });
        clients.set('default', client);
    }
    return { sdk: loaded, client };
}
const BATCH = 25;
const S = (value) => ({ S: value });
const N = (value) => ({ N: String(value) });
function attributesOf(item) {
    const out = {};
    for (const [name, value] of Object.entries(item?.a?.M ?? {}))
        if (value.S !== undefined)
            out[name] = value.S;
    return out;
}
function attributeMap(attributes) {
    return { M: Object.fromEntries(Object.entries(attributes).map(([name, text]) => [name, S(text)])) };
}
function connectionOf(item) {
    return {
        id: item.sk.S,
        at: Number(item.at?.N ?? 0),
        expires: Number(item.expires?.N ?? 0),
        attributes: attributesOf(item),
        rooms: item.r?.SS ?? [],
    };
}
const nameOf = (error) => error?.name;
export class DynamoConnectionStore {
    table;
    namespace;
    /** `namespace` keeps a smoke test's connections apart from the stage's real ones. */
    constructor(table, namespace = '') {
        this.table = table;
        this.namespace = namespace;
    }
    key(scope, id) {
        return { pk: S(this.partition(scope)), sk: S(id) };
    }
    partition(scope) {
        return 'room' in scope ? `${this.namespace}room#${scope.room}` : `${this.namespace}all`;
    }
    /** Runs a call, with the table's name and what to do in the error a person reads. */
    async call(run) {
        const { sdk, client } = await clientOf();
        try {
            return await run(sdk, client);
        }
        catch (error) {
            if (nameOf(error) === 'ResourceNotFoundException')
                throw new Error(`socket-action: the connection registry table ${this.table} does not exist: deploy the stage again (socket-action deploy) to make it`, { cause: error });
            if (nameOf(error) === 'ValidationException' && /item size/i.test(error.message))
                throw new ItemTooLargeError('this connection', undefined);
            throw error;
        }
    }
    /** BatchWriteItem in chunks of 25, writing again what DynamoDB left unprocessed (with backoff, as AWS advises). */
    async batchWrite(requests) {
        for (let i = 0; i < requests.length; i += BATCH) {
            let left = requests.slice(i, i + BATCH);
            for (let attempt = 0; left.length > 0; attempt++) {
                if (attempt > 0)
                    await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt) * Math.random()));
                if (attempt > 8)
                    throw new Error(`socket-action: DynamoDB left ${left.length} registry writes unprocessed`);
                const out = await this.call((sdk, client) => client.send(new sdk.BatchWriteItemCommand({ RequestItems: { [this.table]: left } })));
                left = out.UnprocessedItems?.[this.table] ?? [];
            }
        }
    }
    /**
     * UpdateItem on an item that must exist (the connection's, or a membership): the item after the update, or
     * undefined when it does not exist (a connection that is gone, a membership that was left).
     */
    async updateExisting(key, update, values, names = {}) {
        try {
            const out = await this.call((sdk, client) => client.send(new sdk.UpdateItemCommand({
                TableName: this.table,
                Key: key,
                UpdateExpression: update,
                ConditionExpression: 'attribute_exists(#pk)',
                ExpressionAttributeNames: { '#pk': 'pk', ...names },
                ...(values ? { ExpressionAttributeValues: values } : {}),
                ReturnValues: 'ALL_NEW',
            })));
            return out.Attributes;
        }
        catch (error) {
            if (nameOf(error) === 'ConditionalCheckFailedException')
                return undefined;
            throw error;
        }
    }
    async register(connection) {
        const common = { at: N(connection.at), expires: N(connection.expires), a: attributeMap(connection.attributes) };
        const self = {
            ...this.key({ all: true }, connection.id),
            ...common,
            ...(connection.rooms.length ? { r: { SS: connection.rooms } } : {}),
        };
        const items = [self, ...connection.rooms.map((room) => ({ ...this.key({ room }, connection.id), ...common }))];
        if (items.length === 1)
            await this.call((sdk, client) => client.send(new sdk.PutItemCommand({ TableName: this.table, Item: self })));
        else
            await this.batchWrite(items.map((Item) => ({ PutRequest: { Item } })));
    }
    async get(id) {
        const out = await this.call((sdk, client) => client.send(new sdk.GetItemCommand({ TableName: this.table, Key: this.key({ all: true }, id), ConsistentRead: true })));
        return out.Item ? connectionOf(out.Item) : undefined;
    }
    async setAttributes(id, set, unset) {
        const names = [...Object.keys(set), ...unset];
        if (names.length === 0)
            return this.get(id);
        let latest;
        // An update expression is at most 4 KB: a hundred names at a time.
        for (let i = 0; i < names.length; i += 100) {
            const chunk = names.slice(i, i + 100);
            const aliases = {};
            const values = {};
            const sets = [];
            const removes = [];
            chunk.forEach((name, n) => {
                aliases[`#n${n}`] = name;
                if (name in set) {
                    values[`:v${n}`] = S(set[name]);
                    sets.push(`a.#n${n} = :v${n}`);
                }
                else
                    removes.push(`a.#n${n}`);
            });
            const update = [sets.length ? `SET ${sets}` : '', removes.length ? `REMOVE ${removes}` : ''].filter(Boolean);
            const item = await this.updateExisting(this.key({ all: true }, id), update.join(' '), sets.length ? values : undefined, aliases);
            if (!item)
                return undefined;
            latest = connectionOf(item);
        }
        return latest;
    }
    async copyAttributes(id, rooms, attributes) {
        // A membership left meanwhile stays gone.
        await Promise.all(rooms.map((room) => this.updateExisting(this.key({ room }, id), 'SET a = :a', { ':a': attributeMap(attributes) })));
    }
    async join(id, room) {
        const connection = await this.updateExisting(this.key({ all: true }, id), 'ADD r :r', { ':r': { SS: [room] } });
        if (!connection)
            return false;
        // The membership carries the connection's registration time (the prune grace) and what presence shows.
        const Item = {
            ...this.key({ room }, id),
            at: connection.at ?? N(0),
            expires: connection.expires ?? N(0),
            a: connection.a ?? { M: {} },
        };
        await this.call((sdk, client) => client.send(new sdk.PutItemCommand({ TableName: this.table, Item })));
        return true;
    }
    async leave(id, room) {
        await Promise.all([
            this.updateExisting(this.key({ all: true }, id), 'DELETE r :r', { ':r': { SS: [room] } }),
            this.call((sdk, client) => client.send(new sdk.DeleteItemCommand({ TableName: this.table, Key: this.key({ room }, id) }))),
        ]);
    }
    async page(scope, options) {
        const pk = this.partition(scope);
        const out = await this.call((sdk, client) => client.send(new sdk.QueryCommand({
            TableName: this.table,
            KeyConditionExpression: '#pk = :pk',
            ConsistentRead: true,
            ProjectionExpression: options.attributes ? '#sk, #at, #ex, #a' : '#sk, #at, #ex',
            ExpressionAttributeNames: {
                '#pk': 'pk',
                '#sk': 'sk',
                '#at': 'at',
                '#ex': 'expires',
                ...(options.attributes ? { '#a': 'a' } : {}),
            },
            ExpressionAttributeValues: { ':pk': S(pk) },
            ...(options.cursor ? { ExclusiveStartKey: { pk: S(pk), sk: S(options.cursor) } } : {}),
        })));
        const members = (out.Items ?? []).map((item) => ({
            id: item.sk.S,
            at: Number(item.at?.N ?? 0),
            expires: Number(item.expires?.N ?? 0),
            ...(options.attributes ? { attributes: attributesOf(item) } : {}),
        }));
        const next = out.LastEvaluatedKey?.sk?.S;
        return next ? { members, next } : { members };
    }
    async remove(id, rooms) {
        const keys = [this.key({ all: true }, id), ...rooms.map((room) => this.key({ room }, id))];
        if (keys.length === 1)
            await this.call((sdk, client) => client.send(new sdk.DeleteItemCommand({ TableName: this.table, Key: keys[0] })));
        else
            await this.batchWrite(keys.map((Key) => ({ DeleteRequest: { Key } })));
    }
}
