// A local HTTP server in the place of the @connections API: each request, read whole, is answered by the test.
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface Seen {
  method: string
  rawUrl: string
  headers: http.IncomingHttpHeaders
  rawHeaders: string[]
  body: Buffer
  socket: Socket
}

/** An answer, or 'reset': the connection is destroyed before any answer. */
export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'reset'

/** Listens on 127.0.0.1 (keep-alive as API Gateway's); `domain` is `127.0.0.1:{port}`. */
export async function listenAsConnectionsApi(
  answer: (req: Seen) => Reply,
): Promise<{ server: http.Server; domain: string }> {
  const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const reply = answer({
        method: req.method ?? '',
        rawUrl: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks),
        socket: req.socket,
      })
      if (reply === 'reset') {
        req.socket.destroy()
        return
      }
      res.writeHead(reply.status, reply.headers ?? {})
      res.end(reply.body ?? '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, domain: `127.0.0.1:${(server.address() as AddressInfo).port}` }
}
