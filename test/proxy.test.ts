// Which proxy a URL goes through (HTTPS_PROXY, HTTP_PROXY, NO_PROXY and their lower-case names), and what verify does
// with a proxy's answers to CONNECT: credentials sent and never shown, a refusal that a retry will not change.
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { bypassesProxy, ProxySettingError, proxyFor } from '../src/proxy.ts'
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

  test('a bad proxy setting fails verify at once, before any connection', async () => {
    await assert.rejects(
      verifyEndpoint({ url: WSS, env: { HTTPS_PROXY: 'socks5://proxy:1080' } }),
      (e: Error) => e instanceof VerifyError && /cannot be verified: HTTPS_PROXY names a socks5 proxy/.test(e.message),
    )
  })
})
