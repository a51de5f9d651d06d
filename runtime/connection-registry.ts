// The connection registry: rooms, presence, broadcast to every connection and per-connection attributes, kept in the
// stage's store (./connection-store.ts) so that every execution environment sees the same state. One registry serves
// one event of one connection (`self`).
import {
  CONNECTION_TTL_SECONDS,
  type ConnectionStore,
  ItemTooLargeError,
  itemSize,
  MAX_ITEM_BYTES,
  type Scope,
  type StoredAttributes,
  type StoredConnection,
  type StoredMember,
} from './connection-store.ts'
import { GoneConnectionError } from './connections.ts'
import type { Attributes, Member } from './types.ts'

/** The local gateway's registry endpoint (set by socket-action dev when serverless.yml has `connections: registry`). */
export const REGISTRY_URL_VARIABLE = 'SOCKET_ACTION_REGISTRY_URL'

/**
 * A 410 for a connection registered this recently is not pruned: the registration is written when `on('connect')`
 * accepts, a moment before API Gateway completes the handshake, and until then a post to it answers 410 as well.
 */
export const PRUNE_GRACE_MS = 10_000

/** Posts to a room or to everyone run this many at a time. */
export const FAN_OUT_CONCURRENCY = 100

export class RegistryMissingError extends Error {
  override readonly name = 'RegistryMissingError'
  constructor(method: string) {
    super(
      `socket.${method}() needs the connection registry, which this stage does not have: add "connections: registry" to the inputs of the socket component in serverless.yml (beside region, memory...) and deploy again (or restart socket-action dev)`,
    )
  }
}

// Printable: no control, format, surrogate, private-use or unassigned code points.
const ROOM_NAME = /^\P{C}{1,128}$/u

export function checkRoom(method: string, room: unknown): string {
  if (typeof room !== 'string' || !ROOM_NAME.test(room)) {
    const shown =
      typeof room === 'string' ? JSON.stringify(room.length > 40 ? `${room.slice(0, 40)}...` : room) : typeof room
    throw new TypeError(
      `socket.${method}(room): a room name is 1 to 128 printable characters (no control characters), got ${shown}${typeof room === 'string' ? ` (${[...room].length} characters)` : ''}`,
    )
  }
  return room
}

/** An attribute name DynamoDB accepts in a map (1 to 255 bytes is plenty; names are not values). */
function checkAttributeName(name: string): void {
  if (name.length === 0 || Buffer.byteLength(name) > 255)
    throw new TypeError(
      `socket.set(attributes): an attribute name is 1 to 255 bytes, got ${JSON.stringify(name.slice(0, 40))}`,
    )
}

/** Splits attributes into JSON text to set and names to remove (`undefined` removes a name). */
export function encodeAttributes(attributes: unknown): { set: StoredAttributes; unset: string[] } {
  if (attributes === null || typeof attributes !== 'object' || Array.isArray(attributes)) {
    throw new TypeError(
      `socket.set(attributes): attributes are an object of JSON values, e.g. { user: "ada" }, got ${Array.isArray(attributes) ? 'an array' : String(attributes)}`,
    )
  }
  const set: StoredAttributes = {}
  const unset: string[] = []
  for (const [name, value] of Object.entries(attributes)) {
    checkAttributeName(name)
    if (value === undefined) unset.push(name)
    else {
      let text: string | undefined
      try {
        text = JSON.stringify(value)
      } catch (error) {
        throw new TypeError(`socket.set(attributes): "${name}" is not JSON-encodable (${(error as Error).message})`)
      }
      if (text === undefined)
        throw new TypeError(`socket.set(attributes): "${name}" is a ${typeof value}, not a JSON value`)
      set[name] = text
    }
  }
  return { set, unset }
}

export function decodeAttributes(stored: StoredAttributes | undefined): Attributes {
  const out: Attributes = {}
  for (const [name, text] of Object.entries(stored ?? {})) out[name] = JSON.parse(text)
  return out
}

export interface RegistryOptions {
  store: ConnectionStore
  /** The connection of the event. */
  self: string
  /** A $connect event: what the handler joins and sets is written once it accepts the connection. */
  connecting: boolean
  /** A $disconnect event: posts skip this connection, which is gone. */
  disconnecting: boolean
  /** Posts one payload; rejects with GoneConnectionError for a connection that is gone. */
  post: (id: string, payload: Uint8Array) => Promise<void>
  now?: () => number
}

export class ConnectionRegistry {
  private readonly store: ConnectionStore
  private readonly now: () => number
  /** $connect only: what the connection will be registered with. */
  private pending: { attributes: StoredAttributes; rooms: Set<string> } | undefined
  /** This connection as last read or written in this event. */
  private cached: StoredConnection | undefined

  constructor(private readonly options: RegistryOptions) {
    this.store = options.store
    this.now = options.now ?? Date.now
    if (options.connecting) this.pending = { attributes: {}, rooms: new Set() }
  }

  /** Registers the connection with what the connect handler joined and set (after it accepted). */
  async commitConnect(): Promise<void> {
    const pending = this.pending
    if (!pending) return
    this.pending = undefined
    const at = this.now()
    const connection: StoredConnection = {
      id: this.options.self,
      at,
      expires: Math.floor(at / 1000) + CONNECTION_TTL_SECONDS,
      attributes: pending.attributes,
      version: 0,
      rooms: [...pending.rooms],
    }
    const size = itemSize(connection)
    if (size > MAX_ITEM_BYTES) throw new ItemTooLargeError('join', connection.id, size)
    await this.store.register(connection)
    this.cached = connection
  }

  /** Forgets the connection and its memberships ($disconnect, after its handler ran). */
  async unregister(): Promise<void> {
    // The store deletes the memberships the connection lists when it is deleted (read then, not before).
    await this.store.remove(this.options.self, [])
    this.cached = undefined
  }

  private async self(): Promise<StoredConnection | undefined> {
    this.cached ??= await this.store.get(this.options.self)
    return this.cached
  }

  private notRegistered(method: string): Error {
    return new Error(
      `socket.${method}(): connection ${this.options.self} is not in the registry: it disconnected, a post to it answered 410 Gone and it was pruned, or it connected before the stage had its registry (it registers when it connects again)`,
    )
  }

  async join(room: string): Promise<void> {
    checkRoom('join', room)
    if (this.pending) {
      const rooms = [...this.pending.rooms, room]
      const size = itemSize({ id: this.options.self, attributes: this.pending.attributes, rooms })
      if (size > MAX_ITEM_BYTES) throw new ItemTooLargeError('join', this.options.self, size)
      return void this.pending.rooms.add(room)
    }
    const joined = await this.store.join(this.options.self, room, this.cached)
    if (!joined) throw this.notRegistered('join')
    this.cached = joined
  }

  async leave(room: string): Promise<void> {
    checkRoom('leave', room)
    if (this.pending) return void this.pending.rooms.delete(room)
    await this.store.leave(this.options.self, room)
    if (this.cached) this.cached.rooms = this.cached.rooms.filter((r) => r !== room)
  }

  async rooms(): Promise<string[]> {
    if (this.pending) return [...this.pending.rooms]
    return [...((await this.self())?.rooms ?? [])]
  }

  async set(attributes: Attributes): Promise<void> {
    const { set, unset } = encodeAttributes(attributes)
    if (this.pending) {
      const merged = { ...this.pending.attributes, ...set }
      for (const name of unset) delete merged[name]
      const size = itemSize({ id: this.options.self, attributes: merged, rooms: [...this.pending.rooms] })
      if (size > MAX_ITEM_BYTES) throw new ItemTooLargeError('set', this.options.self, size)
      this.pending.attributes = merged
      return
    }
    // Checked here for what this call adds; the store refuses an item that the merge would make too large.
    const size = itemSize({ id: this.options.self, attributes: set, rooms: [] })
    if (size > MAX_ITEM_BYTES) throw new ItemTooLargeError('set', this.options.self, size)
    const updated = await this.store.setAttributes(this.options.self, set, unset)
    if (!updated) throw this.notRegistered('set')
    this.cached = updated
    if (updated.rooms.length)
      await this.store.copyAttributes(this.options.self, updated.rooms, updated.attributes, updated.version)
  }

  async get(connectionId?: string): Promise<Attributes | undefined> {
    if (connectionId === undefined || connectionId === this.options.self) {
      if (this.pending) return decodeAttributes(this.pending.attributes)
      return decodeAttributes((await this.self())?.attributes)
    }
    const other = await this.store.get(connectionId)
    return other && other.expires > this.now() / 1000 ? decodeAttributes(other.attributes) : undefined
  }

  /** Every page of a scope, without the members past their TTL (DynamoDB deletes them only eventually). */
  private async *pages(scope: Scope, attributes: boolean): AsyncGenerator<StoredMember[]> {
    let cursor: string | undefined
    do {
      const page = await this.store.page(scope, { cursor, attributes })
      const now = this.now() / 1000
      yield page.members.filter((m) => m.expires > now)
      cursor = page.next
    } while (cursor)
  }

  async members(room: string): Promise<Member[]> {
    checkRoom('members', room)
    const out: Member[] = []
    for await (const page of this.pages({ room }, true)) {
      for (const m of page) out.push({ ...decodeAttributes(m.attributes), id: m.id })
    }
    return out
  }

  /** Posts to every member of a scope while its pages are read; resolves to the ids that were gone, and prunes them. */
  async fanOut(scope: Scope, payload: Uint8Array, concurrency = FAN_OUT_CONCURRENCY): Promise<string[]> {
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`)
    const pages = this.pages(scope, false)
    // The next page is read while this one's posts go out.
    // The next page is read while this one's posts go out; its failure is the fan-out's, when a lane reaches it.
    const prefetch = () => {
      const read = pages.next()
      read.catch(() => {})
      return read
    }
    let next: Promise<IteratorResult<StoredMember[]>> | undefined = prefetch()
    let buffer: StoredMember[] = []
    let at = 0
    let refill: Promise<void> | undefined
    const take = async (): Promise<StoredMember | undefined> => {
      while (at >= buffer.length) {
        if (!next) return undefined
        refill ??= next
          .then((result) => {
            if (result.done) next = undefined
            else {
              buffer = result.value
              at = 0
              next = prefetch()
            }
          })
          .finally(() => {
            refill = undefined
          })
        await refill
      }
      return buffer[at++]
    }
    const gone: StoredMember[] = []
    const failures: unknown[] = []
    let sent = 0
    const skip = this.options.disconnecting ? this.options.self : undefined
    const lane = async () => {
      for (let member = await take(); member; member = await take()) {
        if (member.id === skip) continue
        sent++
        try {
          await this.options.post(member.id, payload)
        } catch (error) {
          if (error instanceof GoneConnectionError) gone.push(member)
          else failures.push(error)
        }
      }
    }
    const lanes = await Promise.allSettled(Array.from({ length: concurrency }, lane))
    // What was found gone is pruned even when a page could not be read.
    await this.prune(gone, 'room' in scope ? scope.room : undefined)
    const unread = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected')
    if (unread) throw unread.reason
    if (failures.length > 0) {
      throw new AggregateError(failures, `${failures.length} of ${sent} sends failed (${gone.length} gone)`)
    }
    return gone.map((m) => m.id)
  }

  /**
   * Removes gone connections from the registry, all their memberships and not only the one of `room`: those
   * registered before the grace period (a membership's `at` is its connection's; the store checks the connection's).
   */
  async prune(gone: Array<{ id: string; at?: number }>, room?: string): Promise<void> {
    const cutoff = this.now() - PRUNE_GRACE_MS
    const candidates = gone.filter((m) => m.at === undefined || m.at < cutoff)
    let next = 0
    const lane = async () => {
      while (next < candidates.length) {
        const { id } = candidates[next++]!
        await this.store.remove(id, room === undefined ? [] : [room], cutoff)
      }
    }
    await Promise.all(Array.from({ length: Math.min(8, candidates.length) }, lane))
  }
}
