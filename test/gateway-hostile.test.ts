// The local gateway against hostile bytes (issue 9): every malformed request gets a 4xx, every broken WebSocket frame a
// close code, a client that never reads gets 429 instead of unbounded memory, and `dev` keeps serving throughout.
// Requests are written as raw bytes over TCP so no client library normalises them.
import assert from 'node:assert/strict'
import { request, Agent } from 'node:http'
import { createConnection, type Socket } from 'node:net'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { startDev, type DevServer } from '../src/dev/serve.ts'
import { ask, connect } from './helpers/clients.ts'

const FIXTURE = path.join(import.meta.dirname, 'fixtures/gateway')
const KEY = 'dGhlIHNhbXBsZSBub25jZQ=='
/** Long enough for a loaded 2-core CI machine; a gateway that hangs is caught by it, not by timing. */
const WAIT_MS = 10_000

interface RawAnswer {
  /** Everything the gateway wrote before closing (or before WAIT_MS). */
  text: string
  statusLine: string
  /** The gateway neither answered nor closed within WAIT_MS. */
  hung: boolean
}

/** Writes raw chunks on a fresh TCP connection (a short pause between them) and reads until the gateway closes it. */
function raw(port: number, ...chunks: Array<string | Buffer>): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    const got: Buffer[] = []
    let done = false
    const finish = (hung: boolean) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      const text = Buffer.concat(got).toString('latin1')
      resolve({ text, statusLine: text.split('\r\n')[0]!, hung })
    }
    const timer = setTimeout(() => finish(true), WAIT_MS)
    socket.on('data', (d) => got.push(d))
    socket.on('end', () => finish(false))
    socket.on('close', () => finish(false))
    socket.on('error', () => finish(false))
    socket.on('connect', async () => {
      for (const [i, chunk] of chunks.entries()) {
        if (i > 0) await sleep(20)
        if (!socket.destroyed) socket.write(chunk)
      }
    })
  })
}

const upgradeHeaders = (extra = '', key = KEY, version = '13') =>
  `Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: ${version}\r\n${extra}`

/** A completed WebSocket handshake on a raw socket; `rest` is what followed the 101 headers. */
function rawUpgrade(port: number, target = '/test'): Promise<{ socket: Socket; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () =>
      socket.write(`GET ${target} HTTP/1.1\r\n${upgradeHeaders()}\r\n`),
    )
    let got = Buffer.alloc(0)
    const onData = (d: Buffer) => {
      got = Buffer.concat([got, d])
      const end = got.indexOf('\r\n\r\n')
      if (end < 0) return
      socket.off('data', onData)
      const head = got.subarray(0, end).toString()
      if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`handshake refused: ${head.split('\r\n')[0]}`))
      resolve({ socket, rest: got.subarray(end + 4) })
    }
    socket.on('data', onData)
    socket.on('error', reject)
  })
}

/** A client frame: FIN + opcode, masked unless told otherwise, with `rsv` bits (0x70 mask) set as given. */
function frame(opcode: number, payload: Buffer, { fin = true, masked = true, rsv = 0 } = {}): Buffer {
  const first = (fin ? 0x80 : 0) | rsv | opcode
  const mask = Buffer.from([1, 2, 3, 4])
  const body = masked ? Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!)) : payload
  const len =
    payload.length < 126
      ? Buffer.from([(masked ? 0x80 : 0) | payload.length])
      : Buffer.from([(masked ? 0x80 : 0) | 126, payload.length >> 8, payload.length & 0xff])
  return Buffer.concat([Buffer.from([first]), len, masked ? mask : Buffer.alloc(0), body])
}

/** Sends bytes after a successful upgrade and returns the close code of the gateway's close frame. */
async function closeCodeFor(port: number, bytes: Buffer): Promise<number | 'hung' | 'no close frame'> {
  const { socket, rest } = await rawUpgrade(port)
  return new Promise((resolve) => {
    let got = rest
    const timer = setTimeout(() => {
      socket.destroy()
      resolve('hung')
    }, WAIT_MS)
    const read = () => {
      // Server frames are unmasked; the close frame is 0x88, a length under 126, then the 2-byte code.
      const at = got.indexOf(0x88)
      if (at >= 0 && got.length >= at + 4) {
        clearTimeout(timer)
        socket.destroy()
        resolve(got.readUInt16BE(at + 2))
      }
    }
    socket.on('data', (d) => {
      got = Buffer.concat([got, d])
      read()
    })
    socket.on('close', () => {
      clearTimeout(timer)
      resolve('no close frame')
    })
    socket.on('error', () => {})
    socket.write(bytes)
    read()
  })
}

/** A full garbage collection before measuring RSS: `--expose-gc`'s gc, or the same function switched on here. */
function collector(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (exposed) return exposed
  try {
    setFlagsFromString('--expose-gc')
    return runInNewContext('gc') as () => void
  } catch {
    return undefined
  }
}

async function start(
  limits: Parameters<typeof startDev>[0]['limits'] = {},
): Promise<{ server: DevServer; lines: string[] }> {
  const lines: string[] = []
  const server = await startDev({
    configFile: path.join(FIXTURE, 'serverless.yml'),
    port: 0,
    limits,
    log: (l) => lines.push(l),
  })
  return { server, lines }
}

async function stillServes(server: DevServer, lines: string[]): Promise<void> {
  const client = await connect(server.url)
  client.send('still there?')
  assert.deepEqual(await client.next(), { default: 'still there?', routeKey: '$default' })
  client.ws.close()
  assert.deepEqual(
    lines.filter((l) => /internal error/i.test(l)),
    [],
    'the gateway met nothing it did not foresee',
  )
}

const CORPUS: Array<{ name: string; chunks: Array<string | Buffer>; status?: RegExp }> = [
  // Percent-encoding and request targets.
  {
    name: 'bad percent-encoding in the query',
    chunks: ['GET /test?x=%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'truncated UTF-8 percent-encoding in the path',
    chunks: ['GET /test/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'a lone % in the path',
    chunks: ['POST /test/% HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'bad percent-encoding in an @connections id',
    chunks: ['POST /test/@connections/%ZZ HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx'],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'a request target that is not a URL',
    chunks: ['GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'an absolute-form target',
    chunks: ['GET http://elsewhere.example/test HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
  },
  { name: 'an asterisk target', chunks: ['OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'] },
  { name: 'a NUL byte in the path', chunks: ['GET /te\0st HTTP/1.1\r\nHost: x\r\n\r\n'], status: /^HTTP\/1\.1 400 / },
  { name: 'a space in the path', chunks: ['GET /te st HTTP/1.1\r\nHost: x\r\n\r\n'], status: /^HTTP\/1\.1 400 / },
  {
    name: 'a huge @connections id (under the header limit)',
    chunks: [`GET /test/@connections/${'A'.repeat(12_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`],
    status: /^HTTP\/1\.1 410 /,
  },
  {
    name: 'a huge @connections id (over the header limit)',
    chunks: [`POST /test/@connections/${'A'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
    status: /^HTTP\/1\.1 431 /,
  },
  // Request line.
  { name: 'a request line with only a method', chunks: ['GET\r\n\r\n'], status: /^HTTP\/1\.1 400 / },
  { name: 'an unknown method', chunks: ['BREW /test HTTP/1.1\r\nHost: x\r\n\r\n'], status: /^HTTP\/1\.1 400 / },
  { name: 'HTTP/0.9', chunks: ['GET /test\r\n\r\n'] },
  { name: 'HTTP/9.9', chunks: ['GET /test HTTP/9.9\r\nHost: x\r\n\r\n'], status: /^HTTP\/1\.1 4\d\d / },
  { name: 'an HTTP/2 preface', chunks: ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'], status: /^HTTP\/1\.1 4\d\d / },
  { name: 'HTTP/1.0 without Host', chunks: ['GET /test HTTP/1.0\r\n\r\n'], status: /^HTTP\/1\.1 426 / },
  {
    name: 'HTTP/1.1 without Host',
    chunks: ['GET /test HTTP/1.1\r\nConnection: close\r\n\r\n'],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'binary garbage',
    chunks: [Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'a TLS ClientHello on the plain port',
    chunks: [Buffer.from('16030100a5010000a10303', 'hex')],
    status: /^HTTP\/1\.1 400 /,
  },
  { name: 'bare LF line endings', chunks: ['GET /test HTTP/1.1\nHost: x\nConnection: close\n\n'] },
  // Headers.
  {
    name: 'headers over 16 KB',
    chunks: [`GET /test HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`],
    status: /^HTTP\/1\.1 431 /,
  },
  // 431 on Node 24; Node 22 takes them (and answers 426).
  {
    name: '5000 headers',
    chunks: [`GET /test HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${'X: y\r\n'.repeat(5000)}\r\n`],
  },
  {
    name: 'a control character in a header value',
    chunks: ['GET /test HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\n\r\n'],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'a NUL byte in a header value',
    chunks: ['GET /test HTTP/1.1\r\nHost: x\r\nX-Bad: a\0b\r\n\r\n'],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'a space in a header name',
    chunks: ['GET /test HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n'],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'a header line without a colon',
    chunks: ['GET /test HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n'],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'obsolete line folding',
    chunks: ['GET /test HTTP/1.1\r\nHost: x\r\nX-Fold: a\r\n b\r\n\r\n'],
    status: /^HTTP\/1\.1 400 /,
  },
  // Bodies.
  {
    name: 'contradicting Content-Length headers',
    chunks: ['POST /test/@connections/abc HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde'],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'a negative Content-Length',
    chunks: ['POST /test/@connections/abc HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n'],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'a Content-Length that is not a number',
    chunks: ['POST /test/@connections/abc HTTP/1.1\r\nHost: x\r\nContent-Length: 1e3\r\n\r\n'],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'a Content-Length beyond 2^64',
    chunks: ['POST /test/@connections/abc HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n'],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'Content-Length and chunked together',
    chunks: [
      'POST /test/@connections/abc HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'a chunk size that is not hex',
    chunks: [
      'POST /test/@connections/abc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
      'ZZ\r\nhello\r\n0\r\n\r\n',
    ],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'a chunk size beyond 2^64',
    chunks: [
      'POST /test/@connections/abc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
      'FFFFFFFFFFFFFFFFFFFFFF\r\nx\r\n',
    ],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'a chunk longer than its size',
    chunks: [
      'POST /test/@connections/abc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
      '2\r\nhello\r\n0\r\n\r\n',
    ],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'chunk extensions over 16 KB',
    chunks: [
      'POST /test/@connections/abc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
      `5;${'e'.repeat(20_000)}\r\nhello\r\n0\r\n\r\n`,
    ],
  },
  {
    name: 'a Transfer-Encoding that is not chunked',
    chunks: ['POST /test/@connections/abc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nxx'],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'an @connections POST over 128 KB',
    chunks: [
      `POST /test/@connections/abc HTTP/1.1\r\nHost: x\r\nContent-Length: ${200 * 1024}\r\nConnection: close\r\n\r\n${'x'.repeat(200 * 1024)}`,
    ],
    status: /^HTTP\/1\.1 413 /,
  },
  {
    name: 'a body on GET',
    chunks: ['GET /test/@connections/abc HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello'],
    status: /^HTTP\/1\.1 410 /,
  },
  {
    name: 'a body on a plain GET',
    chunks: ['GET /test HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello'],
    status: /^HTTP\/1\.1 426 /,
  },
  {
    name: 'an unsupported Expect',
    chunks: [
      'POST /test/@connections/abc HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx',
    ],
    status: /^HTTP\/1\.1 417 /,
  },
  // Several requests on one connection.
  {
    name: 'pipelined requests',
    chunks: [
      'GET /test HTTP/1.1\r\nHost: x\r\n\r\nPUT /test/@connections/abc HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    ],
  },
  {
    name: 'a good request, then garbage on the same connection',
    chunks: ['GET /test HTTP/1.1\r\nHost: x\r\n\r\n', '\x00\x01\x02 garbage\r\n\r\n'],
  },
  // Handshakes.
  {
    name: 'an upgrade without Sec-WebSocket-Key',
    chunks: [
      'GET /test HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n',
    ],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'an upgrade with an invalid Sec-WebSocket-Key',
    chunks: [`GET /test HTTP/1.1\r\n${upgradeHeaders('', 'not-a-key')}\r\n`],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'an upgrade with two Sec-WebSocket-Keys',
    chunks: [`GET /test HTTP/1.1\r\n${upgradeHeaders(`Sec-WebSocket-Key: ${KEY}\r\n`)}\r\n`],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'an upgrade without Sec-WebSocket-Version',
    chunks: [
      `GET /test HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\n\r\n`,
    ],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'an upgrade with Sec-WebSocket-Version 12',
    chunks: [`GET /test HTTP/1.1\r\n${upgradeHeaders('', KEY, '12')}\r\n`],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'an upgrade with a malformed Sec-WebSocket-Protocol',
    chunks: [`GET /test HTTP/1.1\r\n${upgradeHeaders('Sec-WebSocket-Protocol: a,,b\r\n')}\r\n`],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'an upgrade with bad percent-encoding in the query',
    chunks: [`GET /test?x=%E0%A4%A HTTP/1.1\r\n${upgradeHeaders()}\r\n`],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'an upgrade to a target that is not a URL',
    chunks: [`GET http://[ HTTP/1.1\r\n${upgradeHeaders()}\r\n`],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'Upgrade: websocket on a POST',
    chunks: [`POST /test HTTP/1.1\r\n${upgradeHeaders('Content-Length: 3\r\n')}\r\nabc`],
    status: /^HTTP\/1\.1 405 /,
  },
  {
    name: 'Upgrade: h2c',
    chunks: [
      'GET /test HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n',
    ],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'an upgrade over HTTP/1.0',
    chunks: [`GET /test HTTP/1.0\r\n${upgradeHeaders('', 'x')}\r\n`],
    status: /^HTTP\/1\.1 400 /,
  },
  {
    name: 'an upgrade with headers over 16 KB',
    chunks: [`GET /test HTTP/1.1\r\n${upgradeHeaders(`X-Big: ${'b'.repeat(20_000)}\r\n`)}\r\n`],
    status: /^HTTP\/1\.1 431 /,
  },
]

describe('local gateway under hostile input', () => {
  let server: DevServer
  let lines: string[]
  let port: number
  // Short headers and request timeouts so the slow cases are quick; everything else is AWS's defaults.
  before(async () => {
    ;({ server, lines } = await start({ headersTimeoutMs: 1000, requestTimeoutMs: 2000 }))
    port = server.port
  })
  after(() => server.close())

  test('every malformed request gets a 4xx status line, never a 5xx or a hang', async () => {
    const failures: string[] = []
    for (const { name, chunks, status } of CORPUS) {
      const answer = await raw(port, ...chunks)
      if (process.env.HOSTILE_DEBUG)
        console.log(
          `# ${name}: ${answer.hung ? 'hung' : JSON.stringify(answer.text.match(/HTTP\/1\.[01] \d{3}[^\r]*/g))}`,
        )
      const expected = status ?? /^HTTP\/1\.1 4\d\d /
      if (answer.hung) failures.push(`${name}: no answer within ${WAIT_MS} ms`)
      else if (!expected.test(answer.statusLine))
        failures.push(`${name}: ${JSON.stringify(answer.statusLine)} does not match ${expected}`)
      // Every further answer on the connection (pipelining, keep-alive) is a 4xx too.
      for (const line of answer.text.match(/HTTP\/1\.[01] \d{3}[^\r]*/g) ?? []) {
        if (!/ 4\d\d /.test(line)) failures.push(`${name}: also answered ${JSON.stringify(line)}`)
      }
    }
    assert.deepEqual(failures, [])
    await stillServes(server, lines)
  })

  test('pipelined requests are answered in order', async () => {
    const answer = await raw(
      port,
      'GET /test HTTP/1.1\r\nHost: x\r\n\r\nDELETE /test/@connections/abc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    )
    assert.deepEqual(answer.text.match(/HTTP\/1\.1 \d{3}/g), ['HTTP/1.1 426', 'HTTP/1.1 410'])
  })

  test('a slowloris whose headers never end gets 408 and is closed', async () => {
    const answer = await raw(port, 'GET /test HTTP/1.1\r\nHost: x\r\n', 'X-Slow: a\r\n', 'X-Slower: b')
    assert.equal(answer.hung, false)
    assert.match(answer.statusLine, /^HTTP\/1\.1 408 /)
    await stillServes(server, lines)
  })

  test('a body that stops halfway, and a client reset during $connect, leave nothing broken', async () => {
    // A Content-Length the body never reaches, then the client half-closes: answered or dropped, never a 500.
    const truncated = await raw(
      port,
      'POST /test/@connections/abc HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly this',
    )
    assert.equal(truncated.hung, false, 'the request timeout ends a body that never arrives')
    assert.doesNotMatch(truncated.statusLine, /^HTTP\/1\.1 5/)
    const half = createConnection({ host: '127.0.0.1', port }, () =>
      half.end('POST /test/@connections/abc HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly'),
    )
    half.on('error', () => {})
    half.resume()
    await new Promise((resolve) => half.on('close', resolve))

    // A reset while $connect runs (Node no longer watches an upgraded socket's errors).
    for (let i = 0; i < 3; i++) {
      const socket = createConnection({ host: '127.0.0.1', port }, () =>
        socket.write(`GET /test?sleep=300 HTTP/1.1\r\n${upgradeHeaders()}\r\n`),
      )
      socket.on('error', () => {})
      await sleep(50)
      socket.resetAndDestroy()
    }
    await sleep(600)
    await stillServes(server, lines)
  })

  test('broken WebSocket frames close the connection with 1002 (1007 for bad UTF-8), and others keep being served', async () => {
    const cases: Array<[string, Buffer, number]> = [
      ['an unmasked client frame', frame(1, Buffer.from('hi'), { masked: false }), 1002],
      ['an unknown opcode', frame(3, Buffer.from('hi')), 1002],
      ['a reserved control opcode', frame(0xb, Buffer.alloc(0)), 1002],
      ['RSV1 without an extension', frame(1, Buffer.from('hi'), { rsv: 0x40 }), 1002],
      ['RSV2 and RSV3', frame(1, Buffer.from('hi'), { rsv: 0x30 }), 1002],
      ['a continuation with nothing to continue', frame(0, Buffer.from('hi')), 1002],
      ['a fragmented ping', frame(9, Buffer.from('hi'), { fin: false }), 1002],
      ['a control frame over 125 bytes', frame(9, Buffer.alloc(126)), 1002],
      ['a close frame with an invalid code', frame(8, Buffer.from([0x03, 0xe7])), 1002],
      ['a close frame with a 1-byte payload', frame(8, Buffer.from([0x03])), 1002],
      ['a text frame with invalid UTF-8', frame(1, Buffer.from([0xc3, 0x28])), 1007],
      [
        'a frame length over the limit (64-bit length)',
        Buffer.from([0x81, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4]),
        1009,
      ],
    ]
    const failures: string[] = []
    for (const [name, bytes, expected] of cases) {
      const code = await closeCodeFor(port, bytes)
      if (code !== expected) failures.push(`${name}: ${code}, expected ${expected}`)
    }
    assert.deepEqual(failures, [])
    await stillServes(server, lines)
  })
})

describe('local gateway backpressure', () => {
  test('@connections POSTs to a client that never reads answer 429 LimitExceededException once its buffer is full, and memory stays bounded', async () => {
    const { server, lines } = await start()
    const agent = new Agent({ keepAlive: true, maxSockets: 4 })
    try {
      // A client that completes the handshake, learns its id, then never reads again.
      const { socket } = await rawUpgrade(server.port)
      socket.write(frame(1, Buffer.from(JSON.stringify({ route: 'event' }))))
      let got = Buffer.alloc(0)
      const id = await new Promise<string>((resolve) => {
        socket.on('data', (d) => {
          got = Buffer.concat([got, d])
          const match = /"connectionId":"([^"]+)"/.exec(got.toString('latin1'))
          if (match) resolve(match[1]!)
        })
      })
      socket.removeAllListeners('data')
      socket.pause()

      const post = (body: Buffer) =>
        new Promise<{ status: number; type?: string }>((resolve, reject) => {
          const req = request(`${server.connectionsUrl}/${id}`, { method: 'POST', agent }, (res) => {
            res.resume()
            res.on('end', () =>
              resolve({ status: res.statusCode!, type: res.headers['x-amzn-errortype'] as string | undefined }),
            )
          })
          req.on('error', reject)
          req.end(body)
        })

      const gc = collector()
      gc?.()
      const rssBefore = process.memoryUsage().rss
      const payload = Buffer.alloc(128 * 1024, 'x')
      const statuses = new Map<string, number>()
      let peakRss = rssBefore
      for (let i = 0; i < 400; i++) {
        const { status, type } = await post(payload)
        const key = `${status} ${type ?? ''}`.trim()
        statuses.set(key, (statuses.get(key) ?? 0) + 1)
        if (i % 20 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss)
      }
      gc?.()
      const rssAfter = process.memoryUsage().rss
      peakRss = Math.max(peakRss, rssAfter)
      const grewMb = (peakRss - rssBefore) / 1024 / 1024
      console.log(
        `# backpressure: ${JSON.stringify(Object.fromEntries(statuses))}; RSS grew ${grewMb.toFixed(1)} MB (peak), gc ${gc ? 'on' : 'off'}`,
      )

      assert.deepEqual([...statuses.keys()].sort(), ['200', '429 LimitExceededException'])
      // What was accepted is the 1 MB bound plus what the OS buffers on loopback (a few MB).
      assert.ok(statuses.get('200')! < 200, 'most of the 50 MB was refused, not buffered')
      assert.ok(grewMb < 100, `RSS grew by ${grewMb.toFixed(1)} MB`)

      // The connection is still open: it is the client's buffer that is full, not the connection that is gone.
      const info = await new Promise<number>((resolve, reject) =>
        request(`${server.connectionsUrl}/${id}`, { agent }, (res) => {
          res.resume()
          resolve(res.statusCode!)
        })
          .on('error', reject)
          .end(),
      )
      assert.equal(info, 200)
      // Once the client reads again, POSTs are delivered again.
      socket.resume()
      let status = 429
      for (let i = 0; i < 200 && status === 429; i++) {
        status = (await post(Buffer.from('again'))).status
        if (status === 429) await sleep(20)
      }
      assert.equal(status, 200)
      socket.destroy()
      await stillServes(server, lines)
    } finally {
      agent.destroy()
      await server.close()
    }
  })

  test('a client that reads gets every POST, however many', async () => {
    const { server } = await start({ sendBufferBytes: 256 * 1024 })
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const client = await connect(server.url)
      const id = (await ask(client, 'event')).requestContext.connectionId
      const payload = 'y'.repeat(64 * 1024)
      let received = 0
      client.ws.on('message', () => received++)
      for (let i = 0; i < 64; i++) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = request(`${server.connectionsUrl}/${id}`, { method: 'POST', agent }, (res) => {
            res.resume()
            resolve(res.statusCode!)
          })
          req.on('error', reject)
          req.end(payload)
        })
        assert.equal(status, 200, `POST ${i}`)
      }
      for (let i = 0; i < 500 && received < 64; i++) await sleep(10)
      assert.ok(received >= 64)
      client.ws.close()
    } finally {
      agent.destroy()
      await server.close()
    }
  })
})
