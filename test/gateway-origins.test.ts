// dev's origin decisions (README, "Playground"), with real `ws` clients and raw HTTP: WebSockets from other origins'
// pages refused before $connect unless allowed, clients without Origin untouched, and the playground's page and
// endpoints served only on the gateway's loopback names, never readable cross-origin.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { request } from 'node:http'
import { createConnection } from 'node:net'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import WebSocket from 'ws'
import { parseCommandArgs } from '../src/cli/args.ts'
import { devCommand } from '../src/cli/commands/dev.ts'
import { originAllowed, ownHosts, ownOrigins, parseAllowedOrigins } from '../src/dev/origins.ts'
import { PLAYGROUND_FILE } from '../src/dev/playground.ts'
import { startDev, type DevServer } from '../src/dev/serve.ts'
import { ask, connect } from './helpers/clients.ts'
import { runNode } from './helpers/processes.ts'

const FIXTURE = path.join(import.meta.dirname, 'fixtures/gateway')
const ROOT = path.join(import.meta.dirname, '..')
const BIN = path.join(ROOT, 'src/cli/bin.js')

async function start(extra: Partial<Parameters<typeof startDev>[0]> = {}) {
  const lines: string[] = []
  const server = await startDev({
    configFile: path.join(FIXTURE, 'serverless.yml'),
    port: 0,
    log: (l) => lines.push(l),
    maxEnvironments: 1,
    output: () => {},
    ...extra,
  })
  return { server, lines }
}

/** The handshake's answer: 'open', or the HTTP status it was refused with. */
function handshake(url: string, origin?: string): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin })
    ws.on('open', () => {
      ws.close()
      resolve('open')
    })
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode!)
      res.resume()
      ws.terminate()
    })
    ws.on('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error)
    })
  })
}

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function get(port: number, target: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: target, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

/** Raw bytes in, the status line out: a Host header exactly as written (none, a rebound name). */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(port, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (c) => chunks.push(c))
    socket.on('end', () => resolve(Buffer.concat(chunks).toString()))
    socket.on('error', reject)
    socket.end(text)
  })
}

describe('dev: WebSocket origins', () => {
  let server: DevServer
  let lines: string[]
  before(async () => ({ server, lines } = await start()))
  after(() => server.close())

  test('a client that sends no Origin (wscat, ws, a server) connects', async () => {
    assert.equal(await handshake(server.url), 'open')
  })

  test("the gateway's own origins connect: the playground's page", async () => {
    assert.equal(await handshake(server.url, `http://127.0.0.1:${server.port}`), 'open')
    assert.equal(await handshake(server.url, `http://localhost:${server.port}`), 'open')
    assert.equal(await handshake(server.url, `http://LOCALHOST:${server.port}`), 'open')
  })

  test('a page of any other origin is refused with 403 before $connect runs, and the log says how to allow it', async () => {
    const before = lines.filter((l) => l.startsWith('$connect')).length
    for (const origin of [
      'http://evil.example',
      `http://127.0.0.1:${server.port + 1}`,
      `https://127.0.0.1:${server.port}`,
      `http://127.0.0.1.evil.example:${server.port}`,
      'null',
    ]) {
      assert.equal(await handshake(server.url, origin), 403, origin)
    }
    assert.equal(lines.filter((l) => l.startsWith('$connect')).length, before, 'no $connect for a refused origin')
    assert.ok(
      lines.some((l) => l.includes('"http://evil.example"') && l.includes('--allow-origin http://evil.example')),
      lines.join('\n'),
    )
  })

  test("the playground's tag is taken out of the URL before $connect: the handler sees the client's own query", async () => {
    const tagged = await connect(`${server.url}?name=ada&socket-action-playground=panel1`)
    const { event } = await ask(tagged, 'lastConnect')
    assert.deepEqual(event.queryStringParameters, { name: 'ada' })
    assert.deepEqual(event.multiValueQueryStringParameters, { name: ['ada'] })
    tagged.ws.close()
    const only = await connect(`${server.url}?socket-action-playground=panel2`)
    const plain = (await ask(only, 'lastConnect')).event
    assert.equal(plain.requestContext.connectionId, (await ask(only, 'event')).requestContext.connectionId)
    assert.equal(plain.queryStringParameters, undefined)
    only.ws.close()
  })
})

describe('dev: --allow-origin', () => {
  test('named origins connect, others are still refused; own origin and no Origin unaffected', async () => {
    const { server } = await start({ allowOrigins: ['http://localhost:5173', 'null'] })
    try {
      assert.equal(await handshake(server.url, 'http://localhost:5173'), 'open')
      assert.equal(await handshake(server.url, 'null'), 'open')
      assert.equal(await handshake(server.url, 'http://localhost:5174'), 403)
      assert.equal(await handshake(server.url, `http://127.0.0.1:${server.port}`), 'open')
      assert.equal(await handshake(server.url), 'open')
    } finally {
      await server.close()
    }
  })

  test('* lets any page connect', async () => {
    const { server } = await start({ allowOrigins: '*' })
    try {
      assert.equal(await handshake(server.url, 'http://evil.example'), 'open')
    } finally {
      await server.close()
    }
  })

  test('values: origins as browsers send them, repeated or comma-separated; anything else is an error naming it', () => {
    assert.deepEqual(parseAllowedOrigins(['http://localhost:5173', 'https://App.example.com,null']), [
      'http://localhost:5173',
      'https://app.example.com',
      'null',
    ])
    assert.equal(parseAllowedOrigins(['http://a.example', '*']), '*')
    assert.deepEqual(parseAllowedOrigins(['http://localhost:5173/']), ['http://localhost:5173'])
    for (const bad of ['http://localhost:5173/app', 'localhost:5173', '', 'file:///tmp/x.html', 'http://a.example?x']) {
      const parsed = parseAllowedOrigins([bad])
      assert.ok(typeof parsed === 'object' && 'error' in parsed, bad)
      assert.match(parsed.error, /--allow-origin takes origins/)
      assert.ok(parsed.error.includes(`"${bad}"`), parsed.error)
    }
    const hint = parseAllowedOrigins(['http://localhost:5173/app'])
    assert.ok(
      typeof hint === 'object' && 'error' in hint && hint.error.includes('did you mean "http://localhost:5173"'),
    )
  })
})

test("the gateway's own hosts and origins: the loopback names, the --host address, and the bare names on port 80", () => {
  assert.deepEqual([...ownHosts('127.0.0.1', 3001)], ['127.0.0.1:3001', 'localhost:3001', '[::1]:3001'])
  assert.ok(ownHosts('192.168.1.20', 3001).has('192.168.1.20:3001'))
  assert.ok(ownHosts('::1', 3001).has('[::1]:3001'))
  assert.equal(ownHosts('0.0.0.0', 3001).size, 3, 'a wildcard names no host')
  assert.ok(ownHosts('127.0.0.1', 80).has('localhost'))
  assert.ok(!ownHosts('127.0.0.1', 3001).has('localhost'))
  const own = ownOrigins('127.0.0.1', 3001)
  assert.ok(originAllowed(undefined, own, []))
  assert.ok(originAllowed('http://localhost:3001', own, []))
  assert.ok(!originAllowed('http://localhost:3002', own, []))
  assert.ok(!originAllowed('http://localhost', own, []))
  assert.ok(originAllowed('http://localhost', ownOrigins('127.0.0.1', 80), []))
})

describe('socket-action dev --allow-origin', () => {
  test('--help names it; repeated, its values add up', async () => {
    const help = await runNode(BIN, ['dev', '--help'], { cwd: ROOT }).done
    assert.equal(help.code, 0)
    assert.match(help.stdout, /^ {2}--allow-origin ORIGIN\s+also accept WebSockets from web pages of this origin/m)
    const parsed = parseCommandArgs(devCommand.spec, ['--allow-origin', 'http://a.example', '--allow-origin=null'])
    assert.ok(!parsed.help)
    assert.equal(parsed.values['allow-origin'], 'http://a.example,null')
  })

  test('a value that is not an origin exits 2 naming it, before anything is served', async () => {
    const { code, stdout, stderr } = await runNode(
      BIN,
      ['dev', 'examples/echo', '--port', '0', '--allow-origin', 'http://localhost:5173/app'],
      { cwd: ROOT },
    ).done
    assert.equal(code, 2)
    assert.match(
      stderr,
      /--allow-origin takes origins .*got "http:\/\/localhost:5173\/app": did you mean "http:\/\/localhost:5173"\?/,
    )
    assert.doesNotMatch(stdout, /WebSocket:/)
  })

  test('the command passes it on: the named origin connects, another is refused', async () => {
    const child = runNode(
      BIN,
      ['dev', 'examples/echo', '--port', '0', '--allow-origin', 'http://localhost:5173,http://app.example'],
      { cwd: ROOT },
    )
    try {
      let url: string | undefined
      for (let i = 0; i < 400 && !url; i++) {
        url = /WebSocket:\s+(ws:\/\/\S+)/.exec(child.stdout())?.[1]
        if (!url) await sleep(25)
      }
      assert.ok(url, child.stdout())
      assert.match(
        child.stdout(),
        /origins: +WebSockets from pages on http:\/\/localhost:5173, http:\/\/app\.example accepted/,
      )
      assert.match(child.stdout(), /playground: +http:\/\/127\.0\.0\.1:\d+\/ /)
      assert.equal(await handshake(url, 'http://app.example'), 'open')
      assert.equal(await handshake(url, 'http://evil.example'), 403)
    } finally {
      child.kill('SIGINT')
      assert.equal((await child.done).code, 0)
    }
  })
})

describe('dev: the playground over HTTP', () => {
  let server: DevServer
  before(async () => ({ server } = await start()))
  after(() => server.close())

  test('GET / and GET /{stage} answer the page, with headers that keep other pages from framing or reading it', async () => {
    const html = await readFile(PLAYGROUND_FILE, 'utf8')
    for (const target of ['/', '/test', '/test/']) {
      const answer = await get(server.port, target)
      assert.equal(answer.status, 200, target)
      assert.equal(answer.headers['content-type'], 'text/html; charset=utf-8')
      assert.equal(answer.body, html)
      assert.equal(answer.headers['x-frame-options'], 'DENY')
      assert.match(String(answer.headers['content-security-policy']), /frame-ancestors 'none'/)
      assert.equal(answer.headers['access-control-allow-origin'], undefined)
    }
    assert.equal((await get(server.port, '/test', { Host: `localhost:${server.port}` })).status, 200)
  })

  test('on a Host that is not the gateway (DNS rebinding) the page is not served: API Gateway answers 426', async () => {
    const answer = await get(server.port, '/test', { Host: `rebound.example:${server.port}` })
    assert.equal(answer.status, 426)
    assert.doesNotMatch(answer.body, /<html/i)
    assert.match(await raw(server.port, 'GET /test HTTP/1.0\r\n\r\n'), /^HTTP\/1\.1 426 /)
    // Other paths and methods are API Gateway's as before.
    assert.equal((await get(server.port, '/other')).status, 426)
  })

  test('/_playground/routes lists what socket.js registered; refused on another Host, Origin or a cross-site fetch', async () => {
    const answer = await get(server.port, '/_playground/routes')
    assert.equal(answer.status, 200)
    const info = JSON.parse(answer.body)
    assert.equal(info.stage, 'test')
    assert.equal(info.url, server.url)
    for (const route of ['connect', 'event', 'throw', 'lastConnect']) assert.ok(info.routes.includes(route), route)
    assert.equal(answer.headers['access-control-allow-origin'], undefined)
    for (const headers of <Array<Record<string, string>>>[
      { Host: `rebound.example:${server.port}` },
      { Origin: 'http://evil.example' },
      { Origin: `http://localhost:${server.port + 1}` },
      { 'Sec-Fetch-Site': 'cross-site' },
    ]) {
      const refused = await get(server.port, '/_playground/routes', headers)
      assert.equal(refused.status, 403, JSON.stringify(headers))
      assert.doesNotMatch(refused.body, /lastConnect/)
      assert.equal(refused.headers['access-control-allow-origin'], undefined)
    }
    assert.equal(
      (await get(server.port, '/_playground/routes', { Origin: `http://127.0.0.1:${server.port}` })).status,
      200,
    )
    assert.equal((await get(server.port, '/_playground/nothing')).status, 404)
  })

  test("/_playground/logs streams each invocation with its connection and tag, and the function's output per event", async () => {
    const entries: any[] = []
    const req = request({ host: '127.0.0.1', port: server.port, path: '/_playground/logs' })
    const opened = new Promise<void>((resolve, reject) => {
      req.on('response', (res) => {
        assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8')
        let buffer = ''
        res.on('data', (chunk) => {
          buffer += chunk
          const blocks = buffer.split('\n\n')
          buffer = blocks.pop()!
          for (const block of blocks) if (block.startsWith('data: ')) entries.push(JSON.parse(block.slice(6)))
        })
        resolve()
      })
      req.on('error', reject)
    })
    req.end()
    await opened
    try {
      const client = await connect(`${server.url}?socket-action-playground=p1`)
      const id = (await ask(client, 'event')).requestContext.connectionId
      client.send({ route: 'throw' })
      for (let i = 0; i < 100 && !entries.some((e) => e.type === 'invoke' && e.status === 'error'); i++) await sleep(20)
      const connectRecord = entries.find((e) => e.type === 'invoke' && e.routeKey === '$connect')
      assert.equal(connectRecord.connectionId, id)
      assert.equal(connectRecord.tag, 'p1')
      const failed = entries.find((e) => e.type === 'invoke' && e.routeKey === '$default' && e.status === 'error')
      assert.ok(failed, JSON.stringify(entries))
      assert.match(failed.error, /^Error: handler failed on purpose \(socket\.js:\d+:\d+\)/)
      const logged = entries.find((e) => e.type === 'output' && e.stream === 'stderr')
      assert.equal(logged.connectionId, id)
      assert.equal(logged.routeKey, '$default')
      assert.match(logged.text, /handler failed on purpose/)
      client.ws.close()
    } finally {
      req.destroy()
    }
  })
})
