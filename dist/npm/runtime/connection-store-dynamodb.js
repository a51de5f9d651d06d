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
        version: Number(item.v?.N ?? 0),
        rooms: item.r?.SS ?? [],
    };
}
/** How often a join is tried again when the connection's attributes changed between its read and its write. */
const JOIN_ATTEMPTS = 5;
/** A transaction one of whose conditions failed (the others are then "None"). */
const conditionFailed = (error) => nameOf(error) === 'TransactionCanceledException' &&
    (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed');
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
    async call(run, growing) {
        const { sdk, client } = await clientOf();
        try {
            return await run(sdk, client);
        }
        catch (error) {
            if (nameOf(error) === 'ResourceNotFoundException')
                throw new Error(`socket-action: the connection registry table ${this.table} does not exist: deploy the stage again (socket-action deploy) to make it`, { cause: error });
            if (growing && nameOf(error) === 'ValidationException' && /item size/i.test(error.message))
                throw new ItemTooLargeError(growing.method, growing.id);
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
    async updateExisting(key, update, values, options = {}) {
        try {
            const out = await this.call((sdk, client) => client.send(new sdk.UpdateItemCommand({
                TableName: this.table,
                Key: key,
                UpdateExpression: update,
                ConditionExpression: ['attribute_exists(#pk)', options.condition].filter(Boolean).join(' AND '),
                ExpressionAttributeNames: { '#pk': 'pk', ...options.names },
                ...(values ? { ExpressionAttributeValues: values } : {}),
                ReturnValues: 'ALL_NEW',
            })), options.growing);
            return out.Attributes;
        }
        catch (error) {
            if (nameOf(error) === 'ConditionalCheckFailedException')
                return undefined;
            throw error;
        }
    }
    transact(items, growing) {
        return this.call((sdk, client) => client.send(new sdk.TransactWriteItemsCommand({ TransactItems: items })), growing);
    }
    /** A transaction's change of the rooms on a connection's item, which must exist (and be at `version`, if given). */
    roomChange(id, action, room, version) {
        return {
            Update: {
                TableName: this.table,
                Key: this.key({ all: true }, id),
                UpdateExpression: `${action} r :r`,
                ConditionExpression: version ? 'attribute_exists(#pk) AND v = :v' : 'attribute_exists(#pk)',
                ExpressionAttributeNames: { '#pk': 'pk' },
                ExpressionAttributeValues: { ':r': { SS: [room] }, ...(version ? { ':v': version } : {}) },
            },
        };
    }
    async register(connection) {
        const common = {
            at: N(connection.at),
            expires: N(connection.expires),
            a: attributeMap(connection.attributes),
            v: N(connection.version),
        };
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
            values[':one'] = N(1);
            const update = [sets.length ? `SET ${sets}` : '', removes.length ? `REMOVE ${removes}` : '', 'ADD v :one'];
            const item = await this.updateExisting(this.key({ all: true }, id), update.filter(Boolean).join(' '), values, {
                names: aliases,
                growing: { method: 'set', id },
            });
            if (!item)
                return undefined;
            latest = connectionOf(item);
        }
        return latest;
    }
    async copyAttributes(id, rooms, attributes, version) {
        // A membership left meanwhile stays gone; one that holds a newer copy (a later set) keeps it.
        await Promise.all(rooms.map((room) => this.updateExisting(this.key({ room }, id), 'SET a = :a, v = :v', { ':a': attributeMap(attributes), ':v': N(version) }, { condition: '(attribute_not_exists(v) OR v < :v)' })));
    }
    async join(id, room, known) {
        let connection = known ?? (await this.get(id));
        for (let attempt = 1; connection; attempt++) {
            // One transaction: the room on the connection (still at the version read) and the membership with that
            // version's attributes, so a concurrent set or disconnect never leaves a stale or orphaned membership.
            const current = connection;
            const at = { at: N(current.at), expires: N(current.expires), v: N(current.version) };
            try {
                await this.transact([
                    this.roomChange(id, 'ADD', room, at.v),
                    {
                        Put: {
                            TableName: this.table,
                            Item: { ...this.key({ room }, id), ...at, a: attributeMap(current.attributes) },
                        },
                    },
                ], { method: 'join', id });
                return { ...current, rooms: [...new Set([...current.rooms, room])] };
            }
            catch (error) {
                if (!conditionFailed(error) || attempt >= JOIN_ATTEMPTS)
                    throw error;
                connection = await this.get(id); // gone, or its attributes changed: read it again
            }
        }
        return undefined;
    }
    async leave(id, room) {
        try {
            await this.transact([
                this.roomChange(id, 'DELETE', room),
                { Delete: { TableName: this.table, Key: this.key({ room }, id) } },
            ]);
        }
        catch (error) {
            if (!conditionFailed(error))
                throw error;
            // The connection is gone: its membership may still be there.
            await this.call((sdk, client) => client.send(new sdk.DeleteItemCommand({ TableName: this.table, Key: this.key({ room }, id) })));
        }
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
    async remove(id, rooms, registeredBefore) {
        // The connection item first, returning the rooms it lists: a join that comes later finds no connection.
        let listed = [];
        try {
            const out = await this.call((sdk, client) => client.send(new sdk.DeleteItemCommand({
                TableName: this.table,
                Key: this.key({ all: true }, id),
                ReturnValues: 'ALL_OLD',
                ...(registeredBefore === undefined
                    ? {}
                    : {
                        ConditionExpression: 'attribute_not_exists(#pk) OR #at < :before',
                        ExpressionAttributeNames: { '#pk': 'pk', '#at': 'at' },
                        ExpressionAttributeValues: { ':before': N(registeredBefore) },
                    }),
            })));
            listed = out.Attributes?.r?.SS ?? [];
        }
        catch (error) {
            if (nameOf(error) === 'ConditionalCheckFailedException')
                return false;
            throw error;
        }
        const memberships = [...new Set([...listed, ...rooms])].map((room) => this.key({ room }, id));
        if (memberships.length)
            await this.batchWrite(memberships.map((Key) => ({ DeleteRequest: { Key } })));
        return true;
    }
}
