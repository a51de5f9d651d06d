// Real `ws` clients with a message queue, so tests read frames in order without racing the socket.
import WebSocket, { type ClientOptions } from 'ws'

export interface Client {
  ws: WebSocket
  /** The next text frame, parsed as JSON when it is JSON. */
  next(timeoutMs?: number): Promise<any>
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>
  send(frame: unknown): void
}

export function connect(url: string, protocols?: string | string[], options?: ClientOptions): Promise<Client> {
  const ws = new WebSocket(url, protocols, options)
  const frames: string[] = []
  const waiters: Array<(frame: string) => void> = []
  ws.on('message', (data) => {
    const text = data.toString()
    const waiter = waiters.shift()
    if (waiter) waiter(text)
    else frames.push(text)
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )
  const client: Client = {
    ws,
    closed,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next: (timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const parse = (text: string) => {
          try {
            return JSON.parse(text)
          } catch {
            return text
          }
        }
        const queued = frames.shift()
        if (queued !== undefined) return resolve(parse(queued))
        const waiter = (text: string) => {
          clearTimeout(timer)
          resolve(parse(text))
        }
        // A waiter that timed out leaves the queue, so the frame that comes later is not lost to it.
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1)
          reject(new Error(`no frame within ${timeoutMs} ms`))
        }, timeoutMs)
        waiters.push(waiter)
      }),
  }
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client))
    ws.once('error', reject)
  })
}

/** Sends a route frame and returns the next frame. */
export async function ask(client: Client, route: string, data?: unknown): Promise<any> {
  client.send({ route, data })
  return client.next()
}
