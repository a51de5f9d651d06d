// The registry on AWS: one DynamoDB table per stage (made by socket-action deploy), keys `pk` and `sk`, TTL on
// `expires`. No index and no Scan:
//   every connection: pk "all",        sk <connection id>   at, expires, a (attributes), r (rooms, a string set)
//   a room's member:  pk "room#<room>", sk <connection id>   at, expires, a (a copy of the connection's attributes)
// so a room's members (with what presence shows) are one paged Query, every connection is one paged Query, and a
// connection's rooms are on its own item for $disconnect. The client is loaded on first use: an app that never calls
// the registry does not pay for loading it.
import type * as Dynamo from '@aws-sdk/client-dynamodb'
import {
  type ConnectionStore,
  ItemTooLargeError,
  type Scope,
  type StoredAttributes,
  type StoredConnection,
  type StoredMember,
  type StoredPage,
} from './connection-store.ts'

type AttributeValue = Dynamo.AttributeValue
type Item = Record<string, AttributeValue>

let sdk: Promise<typeof Dynamo> | undefined
const clients = new Map<string, Dynamo.DynamoDBClient>()

/**
 * In the Lambda bundle (CommonJS), `require`: it finds the SDK the Lambda runtime ships through NODE_PATH, as the
 * bundle's other SDK imports do, where an ES module import() would not look. Run from source (tests), an import().
 */
function loadSdk(): Promise<typeof Dynamo> {
  return typeof require === 'function'
    ? Promise.resolve(require('@aws-sdk/client-dynamodb') as typeof Dynamo)
    : import('@aws-sdk/client-dynamodb')
}

async function clientOf(): Promise<{ sdk: typeof Dynamo; client: Dynamo.DynamoDBClient }> {
  sdk ??= loadSdk()
  const loaded = await sdk
  let client = clients.get('default')
  if (!client) {
    client = new loaded.DynamoDBClient({ cacheMiddleware: true })
    clients.set('default', client)
  }
  return { sdk: loaded, client }
}

const BATCH = 25

const S = (value: string): AttributeValue => ({ S: value })
const N = (value: number): AttributeValue => ({ N: String(value) })

function attributesOf(item: Item | undefined): StoredAttributes {
  const out: StoredAttributes = {}
  for (const [name, value] of Object.entries(item?.a?.M ?? {})) if (value.S !== undefined) out[name] = value.S
  return out
}

function attributeMap(attributes: StoredAttributes): AttributeValue {
  return { M: Object.fromEntries(Object.entries(attributes).map(([name, text]) => [name, S(text)])) }
}

function connectionOf(item: Item): StoredConnection {
  return {
    id: item.sk!.S!,
    at: Number(item.at?.N ?? 0),
    expires: Number(item.expires?.N ?? 0),
    attributes: attributesOf(item),
    version: Number(item.v?.N ?? 0),
    rooms: item.r?.SS ?? [],
  }
}

/** How often a join is tried again when the connection's attributes changed between its read and its write. */
const JOIN_ATTEMPTS = 5

/** A transaction one of whose conditions failed (the others are then "None"). */
const conditionFailed = (error: unknown) =>
  nameOf(error) === 'TransactionCanceledException' &&
  ((error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? []).some(
    (r) => r.Code === 'ConditionalCheckFailed',
  )

const nameOf = (error: unknown) => (error as { name?: string })?.name

export class DynamoConnectionStore implements ConnectionStore {
  /** `namespace` keeps a smoke test's connections apart from the stage's real ones. */
  constructor(
    readonly table: string,
    private readonly namespace = '',
  ) {}

  private key(scope: Scope, id: string): Item {
    return { pk: S(this.partition(scope)), sk: S(id) }
  }

  private partition(scope: Scope): string {
    return 'room' in scope ? `${this.namespace}room#${scope.room}` : `${this.namespace}all`
  }

  /** Runs a call, with the table's name and what to do in the error a person reads. */
  private async call<T>(
    run: (sdk: typeof Dynamo, client: Dynamo.DynamoDBClient) => Promise<T>,
    growing?: { method: string; id: string },
  ): Promise<T> {
    const { sdk, client } = await clientOf()
    try {
      return await run(sdk, client)
    } catch (error) {
      if (nameOf(error) === 'ResourceNotFoundException')
        throw new Error(
          `socket-action: the connection registry table ${this.table} does not exist: deploy the stage again (socket-action deploy) to make it`,
          { cause: error },
        )
      if (growing && nameOf(error) === 'ValidationException' && /item size/i.test((error as Error).message))
        throw new ItemTooLargeError(growing.method, growing.id)
      throw error
    }
  }

  /** BatchWriteItem in chunks of 25, writing again what DynamoDB left unprocessed (with backoff, as AWS advises). */
  private async batchWrite(requests: Dynamo.WriteRequest[]): Promise<void> {
    for (let i = 0; i < requests.length; i += BATCH) {
      let left: Dynamo.WriteRequest[] = requests.slice(i, i + BATCH)
      for (let attempt = 0; left.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt) * Math.random()))
        if (attempt > 8) throw new Error(`socket-action: DynamoDB left ${left.length} registry writes unprocessed`)
        const out = await this.call((sdk, client) =>
          client.send(new sdk.BatchWriteItemCommand({ RequestItems: { [this.table]: left } })),
        )
        left = out.UnprocessedItems?.[this.table] ?? []
      }
    }
  }

  /**
   * UpdateItem on an item that must exist (the connection's, or a membership): the item after the update, or
   * undefined when it does not exist (a connection that is gone, a membership that was left).
   */
  private async updateExisting(
    key: Item,
    update: string,
    values: Item | undefined,
    options: { names?: Record<string, string>; condition?: string; growing?: { method: string; id: string } } = {},
  ): Promise<Item | undefined> {
    try {
      const out = await this.call(
        (sdk, client) =>
          client.send(
            new sdk.UpdateItemCommand({
              TableName: this.table,
              Key: key,
              UpdateExpression: update,
              ConditionExpression: ['attribute_exists(#pk)', options.condition].filter(Boolean).join(' AND '),
              ExpressionAttributeNames: { '#pk': 'pk', ...options.names },
              ...(values ? { ExpressionAttributeValues: values } : {}),
              ReturnValues: 'ALL_NEW',
            }),
          ),
        options.growing,
      )
      return out.Attributes
    } catch (error) {
      if (nameOf(error) === 'ConditionalCheckFailedException') return undefined
      throw error
    }
  }

  private transact(items: Dynamo.TransactWriteItem[], growing?: { method: string; id: string }): Promise<unknown> {
    return this.call((sdk, client) => client.send(new sdk.TransactWriteItemsCommand({ TransactItems: items })), growing)
  }

  /** A transaction's change of the rooms on a connection's item, which must exist (and be at `version`, if given). */
  private roomChange(
    id: string,
    action: 'ADD' | 'DELETE',
    room: string,
    version?: AttributeValue,
  ): Dynamo.TransactWriteItem {
    return {
      Update: {
        TableName: this.table,
        Key: this.key({ all: true }, id),
        UpdateExpression: `${action} r :r`,
        ConditionExpression: version ? 'attribute_exists(#pk) AND v = :v' : 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#pk': 'pk' },
        ExpressionAttributeValues: { ':r': { SS: [room] }, ...(version ? { ':v': version } : {}) },
      },
    }
  }

  async register(connection: StoredConnection): Promise<void> {
    const common = {
      at: N(connection.at),
      expires: N(connection.expires),
      a: attributeMap(connection.attributes),
      v: N(connection.version),
    }
    const self: Item = {
      ...this.key({ all: true }, connection.id),
      ...common,
      ...(connection.rooms.length ? { r: { SS: connection.rooms } } : {}),
    }
    const items = [self, ...connection.rooms.map((room) => ({ ...this.key({ room }, connection.id), ...common }))]
    if (items.length === 1)
      await this.call((sdk, client) => client.send(new sdk.PutItemCommand({ TableName: this.table, Item: self })))
    else await this.batchWrite(items.map((Item) => ({ PutRequest: { Item } })))
  }

  async get(id: string): Promise<StoredConnection | undefined> {
    const out = await this.call((sdk, client) =>
      client.send(
        new sdk.GetItemCommand({ TableName: this.table, Key: this.key({ all: true }, id), ConsistentRead: true }),
      ),
    )
    return out.Item ? connectionOf(out.Item) : undefined
  }

  async setAttributes(id: string, set: StoredAttributes, unset: string[]): Promise<StoredConnection | undefined> {
    const names = [...Object.keys(set), ...unset]
    if (names.length === 0) return this.get(id)
    let latest: StoredConnection | undefined
    // An update expression is at most 4 KB: a hundred names at a time.
    for (let i = 0; i < names.length; i += 100) {
      const chunk = names.slice(i, i + 100)
      const aliases: Record<string, string> = {}
      const values: Item = {}
      const sets: string[] = []
      const removes: string[] = []
      chunk.forEach((name, n) => {
        aliases[`#n${n}`] = name
        if (name in set) {
          values[`:v${n}`] = S(set[name]!)
          sets.push(`a.#n${n} = :v${n}`)
        } else removes.push(`a.#n${n}`)
      })
      values[':one'] = N(1)
      const update = [sets.length ? `SET ${sets}` : '', removes.length ? `REMOVE ${removes}` : '', 'ADD v :one']
      const item = await this.updateExisting(this.key({ all: true }, id), update.filter(Boolean).join(' '), values, {
        names: aliases,
        growing: { method: 'set', id },
      })
      if (!item) return undefined
      latest = connectionOf(item)
    }
    return latest
  }

  async copyAttributes(id: string, rooms: string[], attributes: StoredAttributes, version: number): Promise<void> {
    // A membership left meanwhile stays gone; one that holds a newer copy (a later set) keeps it.
    await Promise.all(
      rooms.map((room) =>
        this.updateExisting(
          this.key({ room }, id),
          'SET a = :a, v = :v',
          { ':a': attributeMap(attributes), ':v': N(version) },
          { condition: '(attribute_not_exists(v) OR v < :v)' },
        ),
      ),
    )
  }

  async join(id: string, room: string, known?: StoredConnection): Promise<StoredConnection | undefined> {
    let connection = known ?? (await this.get(id))
    for (let attempt = 1; connection; attempt++) {
      // One transaction: the room on the connection (still at the version read) and the membership with that
      // version's attributes, so a concurrent set or disconnect never leaves a stale or orphaned membership.
      const current: StoredConnection = connection
      const at = { at: N(current.at), expires: N(current.expires), v: N(current.version) }
      try {
        await this.transact(
          [
            this.roomChange(id, 'ADD', room, at.v),
            {
              Put: {
                TableName: this.table,
                Item: { ...this.key({ room }, id), ...at, a: attributeMap(current.attributes) },
              },
            },
          ],
          { method: 'join', id },
        )
        return { ...current, rooms: [...new Set([...current.rooms, room])] }
      } catch (error) {
        if (!conditionFailed(error) || attempt >= JOIN_ATTEMPTS) throw error
        connection = await this.get(id) // gone, or its attributes changed: read it again
      }
    }
    return undefined
  }

  async leave(id: string, room: string): Promise<void> {
    try {
      await this.transact([
        this.roomChange(id, 'DELETE', room),
        { Delete: { TableName: this.table, Key: this.key({ room }, id) } },
      ])
    } catch (error) {
      if (!conditionFailed(error)) throw error
      // The connection is gone: its membership may still be there.
      await this.call((sdk, client) =>
        client.send(new sdk.DeleteItemCommand({ TableName: this.table, Key: this.key({ room }, id) })),
      )
    }
  }

  async page(scope: Scope, options: { cursor?: string; attributes: boolean }): Promise<StoredPage> {
    const pk = this.partition(scope)
    const out = await this.call((sdk, client) =>
      client.send(
        new sdk.QueryCommand({
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
        }),
      ),
    )
    const members: StoredMember[] = (out.Items ?? []).map((item) => ({
      id: item.sk!.S!,
      at: Number(item.at?.N ?? 0),
      expires: Number(item.expires?.N ?? 0),
      ...(options.attributes ? { attributes: attributesOf(item) } : {}),
    }))
    const next = out.LastEvaluatedKey?.sk?.S
    return next ? { members, next } : { members }
  }

  async remove(id: string, rooms: string[], registeredBefore?: number): Promise<boolean> {
    // The connection item first, returning the rooms it lists: a join that comes later finds no connection.
    let listed: string[] = []
    try {
      const out = await this.call((sdk, client) =>
        client.send(
          new sdk.DeleteItemCommand({
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
          }),
        ),
      )
      listed = out.Attributes?.r?.SS ?? []
    } catch (error) {
      if (nameOf(error) === 'ConditionalCheckFailedException') return false
      throw error
    }
    const memberships = [...new Set([...listed, ...rooms])].map((room) => this.key({ room }, id))
    if (memberships.length) await this.batchWrite(memberships.map((Key) => ({ DeleteRequest: { Key } })))
    return true
  }
}
