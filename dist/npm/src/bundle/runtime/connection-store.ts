// The connection registry's storage, as the registry (./connection-registry.ts) needs it. Two stores implement it with
// the same semantics: DynamoDB on AWS (./connection-store-dynamodb.ts), and the local gateway's shared in-memory
// store behind `socket-action dev` (src/dev/connection-store.ts, reached through ./connection-store-http.ts).

/** Attribute values as JSON text, by name: merged per name, and read back exactly as written. */
export type StoredAttributes = Record<string, string>

/** A registered connection: the item that lists it among the stage's connections. */
export interface StoredConnection {
  id: string
  /** When it was registered (epoch ms). */
  at: number
  /** When the store may forget it (epoch seconds, DynamoDB's TTL): a little past API Gateway's 2-hour maximum. */
  expires: number
  attributes: StoredAttributes
  /** Counts the changes of `attributes`: a membership never takes an older copy than the one it has. */
  version: number
  rooms: string[]
}

/** One connection of a scope (a room, or every connection), as one page lists it. */
export interface StoredMember {
  id: string
  at: number
  expires: number
  /** Only when the page was read with attributes. */
  attributes?: StoredAttributes
}

/** Every connection of the stage, or the members of one room. */
export type Scope = { room: string } | { all: true }

export interface StoredPage {
  members: StoredMember[]
  /** Where the next page starts; absent on the last page. */
  next?: string
}

export interface ConnectionStore {
  /** Writes the connection and its memberships of `rooms`. */
  register(connection: StoredConnection): Promise<void>
  /** The connection, read after every write that finished before (strongly consistent). */
  get(id: string): Promise<StoredConnection | undefined>
  /** Merges attributes (`unset` names go) and counts a version; undefined when the connection is not registered. */
  setAttributes(id: string, set: StoredAttributes, unset: string[]): Promise<StoredConnection | undefined>
  /**
   * Gives the memberships of `rooms` the connection's attributes of `version`, unless they hold a newer one (a
   * membership that is gone stays gone).
   */
  copyAttributes(id: string, rooms: string[], attributes: StoredAttributes, version: number): Promise<void>
  /**
   * Adds `room` to the connection and writes its membership, atomically, with the attributes the connection has at that
   * moment (`known`: the connection as last read, saving a read when it is still current). The connection afterwards,
   * or undefined when it is not registered.
   */
  join(id: string, room: string, known?: StoredConnection): Promise<StoredConnection | undefined>
  /** Removes `room` from the connection and deletes the membership, atomically. */
  leave(id: string, room: string): Promise<void>
  /** One page of a scope, in id order; `attributes` reads each member's attributes too. */
  page(scope: Scope, options: { cursor?: string; attributes: boolean }): Promise<StoredPage>
  /**
   * Deletes the connection, then its memberships: the rooms it lists and `rooms`. With `registeredBefore` (epoch ms),
   * only a connection registered before then; false when it is newer (and nothing was deleted).
   */
  remove(id: string, rooms: string[], registeredBefore?: number): Promise<boolean>
}

/** API Gateway closes a connection after 2 hours at the latest; the store keeps it 10 minutes longer. */
export const CONNECTION_TTL_SECONDS = 2 * 3600 + 600

/** DynamoDB's largest item: 400 KB, counted as itemSize counts. */
export const MAX_ITEM_BYTES = 400 * 1024

/**
 * DynamoDB's size of a connection item (names and values in UTF-8 bytes, a map's 3 bytes plus 1 per element), for the
 * 400 KB limit: both stores refuse a write that would make an item larger.
 */
export function itemSize(connection: Pick<StoredConnection, 'id' | 'attributes' | 'rooms'>): number {
  const bytes = (s: string) => Buffer.byteLength(s)
  // pk, sk, at, expires, v and their values; the rooms set; the attribute map.
  let size =
    bytes('pk') + 40 + bytes('sk') + bytes(connection.id) + bytes('at') + 21 + bytes('expires') + 21 + bytes('v') + 21
  if (connection.rooms.length) size += bytes('r') + connection.rooms.reduce((n, r) => n + bytes(r) + 5, 0)
  size += bytes('a') + 3
  for (const [name, text] of Object.entries(connection.attributes)) size += 1 + bytes(name) + bytes(text)
  return size
}

export class ItemTooLargeError extends RangeError {
  override readonly name = 'ItemTooLargeError'
  constructor(method: string, id: string, size?: number) {
    super(
      `socket.${method}(): the attributes and rooms of connection ${id} would make its registry item ${size ? `${Math.ceil(size / 1024)} KB` : 'larger than 400 KB'}, over the 400 KB DynamoDB allows per item: keep attributes small (ids and names), and larger data in a table or S3 of your own`,
    )
  }
}
