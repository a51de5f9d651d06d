// Which proxy a URL goes through (HTTPS_PROXY, HTTP_PROXY, NO_PROXY and their lower-case names), and what verify does
// with a proxy's answers to CONNECT: credentials sent and never shown, a refusal that a retry will not change.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { type AddressInfo, connect as netConnect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import WebSocket, { WebSocketServer } from 'ws'
import { bypassesProxy, ProxySettingError, proxyFor, tunnelAgent } from '../src/proxy.ts'
import { VerifyError, verifyEndpoint } from '../src/verify.ts'

const WSS = 'wss://abc123defg.execute-api.us-east-1.amazonaws.com/prod'

describe('proxyFor: the variables', () => {
  test('wss:// and https:// take HTTPS_PROXY, ws:// and http:// HTTP_PROXY; none set or empty: direct', () => {
    assert.equal(proxyFor(WSS, {}), undefined)
    assert.equal(proxyFor(WSS, { HTTPS_PROXY: '  ' }), undefined, 'an empty value is not a proxy')
    assert.equal(proxyFor(WSS, { HTTP_PROXY: 'http://plain:3128' }), undefined, 'HTTP_PROXY is not for wss://')
    assert.deepEqual(proxyFor(WSS, { HTTPS_PROXY: 'http://proxy.corp:3128' }), {
      url: new URL('http://proxy.corp:3128'),
      shown: 'http://proxy.corp:3128',
      variable: 'HTTPS_PROXY',
    })
    assert.equal(proxyFor('https://example.com', { HTTPS_PROXY: 'http://p:1' })?.variable, 'HTTPS_PROXY')
    assert.equal(proxyFor('ws://127.0.0.1:3001/dev', { HTTP_PROXY: 'http://p:1' })?.variable, 'HTTP_PROXY')
    assert.equal(proxyFor('ws://127.0.0.1:3001/dev', { HTTPS_PROXY: 'http://p:1' }), undefined)
  })

  test('the lower-case name wins when both are set (https_proxy, no_proxy), as in Node and curl', () => {
    const env = { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2' }
    assert.equal(proxyFor(WSS, env)?.shown, 'http://lower:2')
    assert.equal(proxyFor(WSS, env)?.variable, 'https_proxy')
    assert.equal(proxyFor(WSS, { ...env, NO_PROXY: '*', no_proxy: 'other.example' })?.variable, 'https_proxy')
    assert.equal(proxyFor(WSS, { ...env, NO_PROXY: 'other.example', no_proxy: '*' }), undefined)
  })

  test('a proxy without a scheme is http://; credentials stay in url and out of shown', () => {
    assert.equal(proxyFor(WSS, { HTTPS_PROXY: 'proxy.corp:3128' })?.url.href, 'http://proxy.corp:3128/')
    const choice = proxyFor(WSS, { HTTPS_PROXY: 'http://me:s3cr%40t@proxy.corp:8080' })!
    assert.equal(choice.shown, 'http://proxy.corp:8080')
    assert.equal(choice.url.password, 's3cr%40t')
    assert.equal(proxyFor(WSS, { HTTPS_PROXY: 'https://proxy.corp' })?.shown, 'https://proxy.corp')
  })

  test('a proxy that cannot tunnel a WebSocket is an error naming the variable and the fix, without its credentials', () => {
    assert.throws(
      () => proxyFor(WSS, { https_proxy: 'socks5://me:hunter2@proxy.corp:1080' }),
      (e: Error) =>
        e instanceof ProxySettingError &&
        /^https_proxy names a socks5 proxy \(socks5:\/\/proxy\.corp:1080\): only http:\/\/ and https:\/\/ proxies/.test(
          e.message,
        ) &&
        !e.message.includes('hunter2'),
    )
    assert.throws(() => proxyFor(WSS, { HTTPS_PROXY: 'http://' }), /HTTPS_PROXY is not a URL/)
  })
})

describe('bypassesProxy: NO_PROXY', () => {
  const cases: Array<[string, number, string, boolean]> = [
    ['anything.example', 443, '*', true],
    ['ws.example.com', 443, 'example.com', true],
    ['example.com', 443, 'example.com', true],
    ['badexample.com', 443, 'example.com', false],
    ['ws.example.com', 443, '.example.com', true],
    ['example.com', 443, '.example.com', true],
    ['ws.example.com', 443, '*.example.com', true],
    ['WS.Example.COM.', 443, 'example.com', true],
    ['ws.example.com', 443, 'EXAMPLE.com.', true],
    ['ws.example.com', 443, 'example.com:443', true],
    ['ws.example.com', 443, 'example.com:8443', false],
    ['abc.execute-api.us-east-1.amazonaws.com', 443, 'localhost, 127.0.0.1 amazonaws.com', true],
    ['abc.execute-api.us-east-1.amazonaws.com', 443, 'localhost,127.0.0.1', false],
    ['10.1.2.3', 443, '10.1.2.3', true],
    ['10.1.2.4', 443, '10.1.2.3', false],
    ['10.1.2.3', 443, '10.0.0.0/8', true],
    ['11.1.2.3', 443, '10.0.0.0/8', false],
    ['10.1.2.3', 443, '10.1.2.3:443', true],
    ['::1', 443, '::1', true],
    ['[::1]', 443, '[::1]:443', true],
    ['[::1]', 80, '[::1]:443', false],
    ['fd00::5', 443, 'fd00::/8', true],
    ['10.1.2.3', 443, 'fd00::/8', false],
    ['ws.example.com', 443, '10.0.0.0/8', false],
    ['ws.example.com', 443, '', false],
    ['ws.example.com', 443, ',,', false],
  ]
  for (const [host, port, noProxy, expected] of cases) {
    test(`${host}:${port} with NO_PROXY=${JSON.stringify(noProxy)}: ${expected ? 'direct' : 'proxied'}`, () =>
      assert.equal(bypassesProxy(host, port, noProxy), expected))
  }

  test('proxyFor applies it with the URL port (443 for wss:// without one)', () => {
    const env = { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'amazonaws.com:443' }
    assert.equal(proxyFor(WSS, env), undefined)
    assert.ok(proxyFor('wss://abc.execute-api.us-east-1.amazonaws.com:8443/prod', env))
  })
})

/** A proxy that answers every CONNECT with `status`, recording the requests. */
async function refusingProxy(status: number): Promise<{ url: string; seen: IncomingMessage[]; server: Server }> {
  const seen: IncomingMessage[] = []
  const server = createServer((_req, res) => res.writeHead(405).end())
  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    seen.push(req)
    socket.end(`HTTP/1.1 ${status} Nope\r\nContent-Length: 0\r\n\r\n`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server }
}

describe('verify through a proxy that says no', () => {
  const servers: Server[] = []
  after(() => {
    for (const server of servers) server.close()
  })
  let auth: Awaited<ReturnType<typeof refusingProxy>>
  let busy: Awaited<ReturnType<typeof refusingProxy>>
  before(async () => {
    auth = await refusingProxy(407)
    busy = await refusingProxy(502)
    servers.push(auth.server, busy.server)
  })

  test('407: the credentials of the URL were sent (Basic, decoded); no retry; the error names the variable, not the password', async () => {
    const proxy = auth.url.replace('http://', 'http://me:s3cr%40t@')
    const slept: number[] = []
    await assert.rejects(
      verifyEndpoint({ url: WSS, env: { HTTPS_PROXY: proxy }, sleep: async (ms) => void slept.push(ms) }),
      (e: Error) =>
        e instanceof VerifyError &&
        e.message.includes(
          `the proxy ${auth.url} (HTTPS_PROXY) answered 407 Nope to CONNECT abc123defg.execute-api.us-east-1.amazonaws.com:443`,
        ) &&
        e.message.includes('put them in HTTPS_PROXY') &&
        !e.message.includes('s3cr'),
    )
    assert.deepEqual(slept, [], 'a refusal is not retried')
    assert.equal(auth.seen.length, 1)
    assert.equal(auth.seen[0]!.url, 'abc123defg.execute-api.us-east-1.amazonaws.com:443')
    assert.equal(auth.seen[0]!.headers['proxy-authorization'], `Basic ${Buffer.from('me:s3cr@t').toString('base64')}`)
  })

  test('502 (the name does not resolve yet, as for a new API): retried until the deadline', async () => {
    const lines: string[] = []
    await assert.rejects(
      verifyEndpoint({
        url: WSS,
        env: { https_proxy: busy.url },
        deadlineMs: 3000,
        sleep: async () => {},
        log: (l) => lines.push(l),
      }),
      /answered 502 Nope to CONNECT/,
    )
    assert.ok(busy.seen.length >= 3, `${busy.seen.length} attempts`)
    assert.match(lines[0]!, /through the proxy http:\/\/127\.0\.0\.1:\d+ \(https_proxy\)$/)
    assert.match(lines[1]!, /trying again in 1 s$/)
  })

  test('a proxy that is not running: the error says it could not reach the proxy', async () => {
    const closed = await refusingProxy(200)
    closed.server.close()
    await assert.rejects(
      verifyEndpoint({ url: WSS, env: { HTTPS_PROXY: closed.url }, deadlineMs: 0 }),
      new RegExp(`cannot reach the proxy ${closed.url} \\(HTTPS_PROXY\\): connect ECONNREFUSED`),
    )
  })

  test('a proxy that never answers CONNECT: the attempt times out, and verify leaves no socket to it open', async () => {
    const open = new Set<Socket>()
    const silent = createServer()
    silent.on('connect', (_req: IncomingMessage, socket: Socket) => {
      open.add(socket)
      // The client ending its side is what counts (the server's socket allows half-open connections).
      socket.resume()
      socket.on('end', () => open.delete(socket))
      socket.on('close', () => open.delete(socket))
    })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    servers.push(silent)
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`
    await assert.rejects(
      verifyEndpoint({ url: WSS, env: { HTTPS_PROXY: url }, attemptTimeoutMs: 300, deadlineMs: 0 }),
      /does not work: (no answer within 0\.3 s|the proxy .* did not answer CONNECT)/,
    )
    for (let waited = 0; open.size > 0 && waited < 2000; waited += 20) await new Promise((r) => setTimeout(r, 20))
    assert.equal(open.size, 0, 'the tunnel socket was ended with the attempt')
  })

  test('a bad proxy setting fails verify at once, before any connection', async () => {
    await assert.rejects(
      verifyEndpoint({ url: WSS, env: { HTTPS_PROXY: 'socks5://proxy:1080' } }),
      (e: Error) => e instanceof VerifyError && /cannot be verified: HTTPS_PROXY names a socks5 proxy/.test(e.message),
    )
  })
})

/** A proxy that tunnels every CONNECT to where it asks (over TLS when `tls` is given), recording the targets. */
async function forwardingProxy(tls?: {
  key: string
  cert: string
}): Promise<{ url: string; targets: string[]; close(): void }> {
  const targets: string[] = []
  const server = tls ? createHttpsServer(tls) : createServer()
  server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    targets.push(req.url ?? '')
    const [host, port] = (req.url ?? '').split(/:(?=\d+$)/)
    const upstream = netConnect({ host: host!, port: Number(port) }, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) upstream.write(head)
      socket.pipe(upstream).pipe(socket)
    })
    upstream.on('error', () => socket.destroy())
    socket.on('error', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    targets,
    close: () => {
      server.closeAllConnections()
      server.close()
    },
  }
}

describe('tunnels that work', () => {
  let echo: WebSocketServer
  let echoUrl: string
  let dir: string
  let proxyCert: { key: string; cert: string }
  before(async () => {
    echo = new WebSocketServer({ port: 0, host: '127.0.0.1' })
    echo.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo ${data}`)))
    await new Promise((resolve) => echo.once('listening', resolve))
    echoUrl = `ws://127.0.0.1:${(echo.address() as AddressInfo).port}/dev`
    dir = await mkdtemp(path.join(tmpdir(), 'proxy-test-'))
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ])
    proxyCert = {
      key: await readFile(path.join(dir, 'key.pem'), 'utf8'),
      cert: await readFile(path.join(dir, 'cert.pem'), 'utf8'),
    }
  })
  after(async () => {
    echo?.close()
    await rm(dir, { recursive: true, force: true })
  })

  test('ws:// goes through HTTP_PROXY with CONNECT; NO_PROXY=127.0.0.1 goes direct', async () => {
    const proxy = await forwardingProxy()
    try {
      const smoke = { message: 'hi', expect: 'echo hi' }
      const verified = await verifyEndpoint({ url: echoUrl, smoke, env: { http_proxy: proxy.url }, deadlineMs: 0 })
      assert.equal(verified.reply, 'echo hi')
      assert.deepEqual(proxy.targets, [new URL(echoUrl).host])
      await verifyEndpoint({
        url: echoUrl,
        smoke,
        env: { http_proxy: proxy.url, no_proxy: '127.0.0.1' },
        deadlineMs: 0,
      })
      assert.equal(proxy.targets.length, 1, 'not through the proxy')
    } finally {
      proxy.close()
    }
  })

  test('an https:// proxy: TLS to the proxy (its CA given to the agent), then the tunnel', async () => {
    const proxy = await forwardingProxy(proxyCert)
    try {
      const choice = proxyFor(echoUrl, { HTTP_PROXY: proxy.url })!
      assert.equal(choice.url.protocol, 'https:')
      const agent = tunnelAgent(echoUrl, choice, { proxyTls: { ca: proxyCert.cert }, timeoutMs: 5000 })
      const ws = new WebSocket(echoUrl, { agent })
      await new Promise((resolve, reject) => {
        ws.once('open', resolve)
        ws.once('error', reject)
      })
      ws.send('over tls')
      const [reply] = await once(ws, 'message')
      assert.equal(String(reply), 'echo over tls')
      ws.close()
      assert.deepEqual(proxy.targets, [new URL(echoUrl).host])
      // Without its CA the proxy's certificate is refused: the TLS to the proxy is checked.
      const untrusted = new WebSocket(echoUrl, { agent: tunnelAgent(echoUrl, choice, { timeoutMs: 5000 }) })
      const [error] = await once(untrusted, 'error')
      assert.match(
        (error as Error).message,
        /cannot reach the proxy https:\/\/127\.0\.0\.1:\d+ \(HTTP_PROXY\): self-signed certificate/,
      )
    } finally {
      proxy.close()
    }
  })
})
