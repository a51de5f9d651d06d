// The socket's connection-registry methods, over the stage's store: DynamoDB on AWS (SOCKET_ACTION_TABLE, set by
// deploy), the local gateway's in `socket-action dev` (SOCKET_ACTION_REGISTRY_URL), none without `connections: registry`.
import { ConnectionRegistry, checkRoom, REGISTRY_URL_VARIABLE, RegistryMissingError } from './connection-registry.ts'
import type { ConnectionStore } from './connection-store.ts'
import { DynamoConnectionStore } from './connection-store-dynamodb.ts'
import { HttpConnectionStore } from './connection-store-http.ts'
import { encode } from './connections.ts'
import { REGISTRY_TABLE_VARIABLE } from './registry-table.ts'
import type { Socket, WebSocketEvent } from './types.ts'

// One store per namespace, kept across invocations of a warm environment.
const stores = new Map<string, ConnectionStore>()

/** The stage's registry store (DynamoDB on AWS, the gateway's in `dev`), or undefined without `connections: registry`. */
export function storeOf(
  namespace = '',
  env: Record<string, string | undefined> = process.env,
): ConnectionStore | undefined {
  const table = env[REGISTRY_TABLE_VARIABLE]
  const url = env[REGISTRY_URL_VARIABLE]
  if (!table && !url) return undefined
  const key = `${table ?? url}\n${namespace}`
  let store = stores.get(key)
  if (!store) {
    store = table ? new DynamoConnectionStore(table, namespace) : new HttpConnectionStore(url!, namespace)
    stores.set(key, store)
  }
  return store
}

/** The registry of one event, or undefined when the stage has none. */
export function registryOf(
  event: WebSocketEvent,
  post: (id: string, payload: Uint8Array) => Promise<void>,
  namespace = '',
): ConnectionRegistry | undefined {
  const store = storeOf(namespace)
  return (
    store &&
    new ConnectionRegistry({
      store,
      self: event.requestContext.connectionId,
      connecting: event.requestContext.eventType === 'CONNECT',
      disconnecting: event.requestContext.eventType === 'DISCONNECT',
      post,
    })
  )
}

type RegistryMethods = Pick<Socket, 'join' | 'leave' | 'rooms' | 'to' | 'members' | 'set' | 'get'>

/** `socket.broadcast(data)` without ids: every connection of the stage. */
export function broadcastToAll(
  registry: ConnectionRegistry | undefined,
  data: unknown,
  concurrency?: number,
): Promise<string[]> {
  if (!registry) throw new RegistryMissingError('broadcast')
  return registry.fanOut({ all: true }, encode(data), concurrency)
}

/** The registry methods of a socket, each failing with what to add to serverless.yml when the stage has no registry. */
export function registrySocket(
  registry: ConnectionRegistry | undefined,
  track: <T>(method: string, caller: (...args: never[]) => unknown, start: () => Promise<T>) => Promise<T>,
): RegistryMethods {
  const use = (method: string): ConnectionRegistry => {
    if (!registry) throw new RegistryMissingError(method)
    return registry
  }
  const methods: RegistryMethods = {
    join: (room) => track('join', methods.join, async () => use('join').join(room)),
    leave: (room) => track('leave', methods.leave, async () => use('leave').leave(room)),
    rooms: () => track('rooms', methods.rooms, async () => use('rooms').rooms()),
    to: (room) => {
      checkRoom('to', room)
      const send = (data: unknown, options?: { concurrency?: number }) =>
        track('to(room).send', send, async () => use('to').fanOut({ room }, encode(data), options?.concurrency))
      return { send }
    },
    members: (room) => track('members', methods.members, async () => use('members').members(room)),
    set: (attributes) => track('set', methods.set, async () => use('set').set(attributes)),
    get: ((id?: string) => track('get', methods.get, async () => use('get').get(id))) as Socket['get'],
  }
  return methods
}
