// The connection registry of `socket-action dev`: one store in the gateway's process that every execution environment
// reaches over HTTP (runtime/connection-store-http.ts), with the semantics the DynamoDB table has on AWS
// (runtime/connection-store-dynamodb.ts): the same items and keys, id order, pages of at most 1 MB, the 400 KB item
// limit, and members past their TTL kept until something deletes them.
import { randomBytes } from 'node:crypto'
import {
  type ConnectionStore,
  ItemTooLargeError,
  itemSize,
  MAX_ITEM_BYTES,
  type Scope,
  type StoredAttributes,
  type StoredConnection,
  type StoredMember,
  type StoredPage,
} from '../../runtime/connection-store.ts'
import type { StoreOperation } from '../../runtime/connection-store-http.ts'

interface Item {
  at: number
  expires: number
  attributes: StoredAttributes
  version: number
  /** Only on a connection's own item. */
  rooms?: Set<string>
}

/** A partition (DynamoDB's `pk`): its items by id (`sk`), and their ids in order once a page needs them. */
interface Partition {
  items: Map<string, Item>
  sorted?: string[]
}

/** DynamoDB stops a Query page at 1 MB of items read. */
const PAGE_BYTES = 1024 * 1024

/** Every partition of the gateway's registry, smoke-test namespaces included. */
export class RegistryData {
  readonly partitions = new Map<string, Partition>()
  /**
   * The last segment of the registry's path, new for each run of dev: only the function's environments know it (it is
   * in their SOCKET_ACTION_REGISTRY_URL), so a page that rebinds a hostname to 127.0.0.1, or a client on the network
   * when dev listens on another address, cannot list the connections.
   */
  readonly token = randomBytes(16).toString('hex')

  partition(key: string, create: true): Partition
  partition(key: string, create?: false): Partition | undefined
  partition(key: string, create = false): Partition | undefined {
    let found = this.partitions.get(key)
    if (!found && create) {
      found = { items: new Map() }
      this.partitions.set(key, found)
    }
    return found
  }

  put(key: string, id: string, item: Item): void {
    const partition = this.partition(key, true)
    if (!partition.items.has(id)) partition.sorted = undefined
    partition.items.set(id, item)
  }

  delete(key: string, id: string): void {
    const partition = this.partition(key)
    if (!partition?.items.delete(id)) return
    partition.sorted = undefined
    if (partition.items.size === 0) this.partitions.delete(key)
  }

  /** How many connections are registered (every namespace), for tests and the dev log. */
  get connectionCount(): number {
    let n = 0
    // `all` or `{namespace}#all`; a room's partition is `{namespace}room#{name}`, whatever its name ends with.
    for (const [key, partition] of this.partitions) if (/^([a-z]+#)?all$/.test(key)) n += partition.items.size
    return n
  }
}

const copy = (attributes: StoredAttributes): StoredAttributes => ({ ...attributes })

export class MemoryConnectionStore implements ConnectionStore {
  constructor(
    private readonly data: RegistryData,
    private readonly namespace = '',
  ) {}

  private key(scope: Scope): string {
    return 'room' in scope ? `${this.namespace}room#${scope.room}` : `${this.namespace}all`
  }

  private connection(id: string): Item | undefined {
    return this.data.partition(this.key({ all: true }))?.items.get(id)
  }

  private view(id: string, item: Item): StoredConnection {
    return {
      id,
      at: item.at,
      expires: item.expires,
      attributes: copy(item.attributes),
      version: item.version,
      rooms: [...(item.rooms ?? [])],
    }
  }

  async register(c: StoredConnection): Promise<void> {
    if (itemSize(c) > MAX_ITEM_BYTES) throw new ItemTooLargeError('join', c.id, itemSize(c))
    const common = { at: c.at, expires: c.expires, version: c.version }
    this.data.put(this.key({ all: true }), c.id, { ...common, attributes: copy(c.attributes), rooms: new Set(c.rooms) })
    for (const room of c.rooms) this.data.put(this.key({ room }), c.id, { ...common, attributes: copy(c.attributes) })
  }

  async get(id: string): Promise<StoredConnection | undefined> {
    const item = this.connection(id)
    return item && this.view(id, item)
  }

  async setAttributes(id: string, set: StoredAttributes, unset: string[]): Promise<StoredConnection | undefined> {
    const item = this.connection(id)
    if (!item) return undefined
    const attributes = { ...item.attributes, ...set }
    for (const name of unset) delete attributes[name]
    const size = itemSize({ id, attributes, rooms: [...(item.rooms ?? [])] })
    if (size > MAX_ITEM_BYTES) throw new ItemTooLargeError('set', id, size)
    item.attributes = attributes
    item.version++
    return this.view(id, item)
  }

  async copyAttributes(id: string, rooms: string[], attributes: StoredAttributes, version: number): Promise<void> {
    for (const room of rooms) {
      const member = this.data.partition(this.key({ room }))?.items.get(id)
      if (member && member.version < version) Object.assign(member, { attributes: copy(attributes), version })
    }
  }

  async join(id: string, room: string): Promise<StoredConnection | undefined> {
    const item = this.connection(id)
    if (!item) return undefined
    const rooms = new Set(item.rooms).add(room)
    const size = itemSize({ id, attributes: item.attributes, rooms: [...rooms] })
    if (size > MAX_ITEM_BYTES) throw new ItemTooLargeError('join', id, size)
    item.rooms = rooms
    const { at, expires, version } = item
    this.data.put(this.key({ room }), id, { at, expires, version, attributes: copy(item.attributes) })
    return this.view(id, item)
  }

  async leave(id: string, room: string): Promise<void> {
    this.connection(id)?.rooms?.delete(room)
    this.data.delete(this.key({ room }), id)
  }

  async page(scope: Scope, options: { cursor?: string; attributes: boolean }): Promise<StoredPage> {
    const partition = this.data.partition(this.key(scope))
    if (!partition) return { members: [] }
    partition.sorted ??= [...partition.items.keys()].sort()
    const ids = partition.sorted
    let start = 0
    if (options.cursor !== undefined) {
      // The first id after the cursor (binary search: pages of a large room stay cheap).
      let low = 0
      let high = ids.length
      while (low < high) {
        const mid = (low + high) >> 1
        if (ids[mid]! <= options.cursor) low = mid + 1
        else high = mid
      }
      start = low
    }
    const members: StoredMember[] = []
    let bytes = 0
    for (let i = start; i < ids.length; i++) {
      const id = ids[i]!
      const item = partition.items.get(id)!
      bytes += itemSize({ id, attributes: item.attributes, rooms: [...(item.rooms ?? [])] })
      members.push({
        id,
        at: item.at,
        expires: item.expires,
        ...(options.attributes ? { attributes: copy(item.attributes) } : {}),
      })
      // DynamoDB reads up to 1 MB and returns where it stopped, even when nothing follows.
      if (bytes >= PAGE_BYTES) return { members, next: id }
    }
    return { members }
  }

  async remove(id: string, rooms: string[], registeredBefore?: number): Promise<boolean> {
    const item = this.connection(id)
    if (item && registeredBefore !== undefined && item.at >= registeredBefore) return false
    this.data.delete(this.key({ all: true }), id)
    for (const room of new Set([...(item?.rooms ?? []), ...rooms])) this.data.delete(this.key({ room }), id)
    return true
  }
}

const OPERATIONS = new Set<StoreOperation>([
  'register',
  'get',
  'setAttributes',
  'copyAttributes',
  'join',
  'leave',
  'page',
  'remove',
])

/** Answers one registry request of an execution environment: `{ op, args, namespace }` in, `{ result }` or `{ error }` out. */
export async function answerRegistryRequest(
  data: RegistryData,
  request: unknown,
): Promise<{ result?: unknown; error?: { name: string; message: string } }> {
  const { op, args, namespace } = (request ?? {}) as { op?: unknown; args?: unknown; namespace?: unknown }
  if (typeof op !== 'string' || !OPERATIONS.has(op as StoreOperation) || !Array.isArray(args))
    return { error: { name: 'BadRequest', message: `not a registry operation: ${JSON.stringify(op)}` } }
  const store = new MemoryConnectionStore(data, typeof namespace === 'string' ? namespace : '')
  try {
    const method = store[op as StoreOperation] as (...a: unknown[]) => Promise<unknown>
    return { result: (await method.apply(store, args)) ?? null }
  } catch (error) {
    const e = error as Error
    return { error: { name: e.name, message: e.message } }
  }
}
