// The registry behind `socket-action dev`: the local gateway keeps one store for all of its execution environments
// (src/dev/connection-store.ts), and each call is one POST to it. The store's semantics are the ones DynamoDB gives
// on AWS (./connection-store-dynamodb.ts); only the transport differs.
import http from 'node:http'
import type { ConnectionStore, Scope, StoredAttributes, StoredConnection, StoredPage } from './connection-store.ts'
import { ItemTooLargeError } from './connection-store.ts'

/** The header every registry request carries: a browser page cannot send it without a preflight dev never answers. */
export const REGISTRY_HEADER = 'x-socket-action-registry'

const agent = new http.Agent({ keepAlive: true, maxSockets: 100 })

/** The operations of ConnectionStore, by name, as the gateway serves them. */
export type StoreOperation = keyof ConnectionStore

export class HttpConnectionStore implements ConnectionStore {
  private readonly url: URL
  constructor(
    url: string,
    private readonly namespace = '',
  ) {
    this.url = new URL(url)
  }

  private request<T>(op: StoreOperation, args: unknown[]): Promise<T> {
    const body = Buffer.from(JSON.stringify({ op, args, namespace: this.namespace }))
    return new Promise<T>((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: this.url.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: this.url.port,
          path: this.url.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': body.byteLength, [REGISTRY_HEADER]: '1' },
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('error', reject)
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            let answer: { result?: T; error?: { name: string; message: string } }
            try {
              answer = JSON.parse(text)
            } catch {
              return reject(
                new Error(`socket-action dev: the registry answered ${res.statusCode}: ${text.slice(0, 200)}`),
              )
            }
            if (!answer.error) return resolve(answer.result as T)
            const error =
              answer.error.name === 'ItemTooLargeError'
                ? new ItemTooLargeError('set', '')
                : new Error(answer.error.message)
            error.message = answer.error.message
            reject(error)
          })
        },
      )
      req.on('error', reject)
      req.end(body)
    })
  }

  register(connection: StoredConnection): Promise<void> {
    return this.request('register', [connection])
  }
  async get(id: string): Promise<StoredConnection | undefined> {
    return (await this.request<StoredConnection | null>('get', [id])) ?? undefined
  }
  async setAttributes(id: string, set: StoredAttributes, unset: string[]): Promise<StoredConnection | undefined> {
    return (await this.request<StoredConnection | null>('setAttributes', [id, set, unset])) ?? undefined
  }
  copyAttributes(id: string, rooms: string[], attributes: StoredAttributes, version: number): Promise<void> {
    return this.request('copyAttributes', [id, rooms, attributes, version])
  }
  async join(id: string, room: string): Promise<StoredConnection | undefined> {
    // The gateway's store is atomic in its own thread: nothing to save by sending what is known.
    return (await this.request<StoredConnection | null>('join', [id, room])) ?? undefined
  }
  leave(id: string, room: string): Promise<void> {
    return this.request('leave', [id, room])
  }
  page(scope: Scope, options: { cursor?: string; attributes: boolean }): Promise<StoredPage> {
    return this.request('page', [scope, options])
  }
  remove(id: string, rooms: string[], registeredBefore?: number): Promise<boolean> {
    // JSON has no undefined: an absent bound stays absent.
    return this.request('remove', registeredBefore === undefined ? [id, rooms] : [id, rooms, registeredBefore])
  }
}
