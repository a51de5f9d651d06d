// The proxy a client behind one (a self-hosted GitHub runner, a corporate network) must use to reach a URL, from the
// standard variables: HTTPS_PROXY / https_proxy for wss:// and https://, HTTP_PROXY / http_proxy for ws:// and
// http://, NO_PROXY / no_proxy for the hosts reached directly (the lower-case name wins when both are set, as in Node's
// own proxy support and curl). The tunnel is an HTTP CONNECT through the proxy (http:// or https:// proxy URL,
// credentials in the URL as Basic Proxy-Authorization), made by an http.Agent / https.Agent whose createConnection
// opens it, so any client that takes an `agent` (ws, the AWS SDK's NodeHttpHandler) goes through it.
//
// Why not Node's own: `https.Agent({ proxyEnv })` and NODE_USE_ENV_PROXY tunnel http/https from Node 24.5 (and
// 22.21); the CLI supports Node 22 from 22.0 (22.20 has no proxyEnv: the option is silently ignored), so the same code
// path runs on every supported Node instead. No dependency (https-proxy-agent would do the tunnel, not the decision).
import { Agent as HttpAgent, type AgentOptions } from 'node:http'
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions } from 'node:https'
import { BlockList, connect as netConnect, isIP, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls'

export interface ProxyChoice {
  /** The proxy's URL, credentials included (never print it: see `shown`). */
  url: URL
  /** The proxy as it may be printed: scheme, host and port, without credentials. */
  shown: string
  /** The variable it came from, e.g. `HTTPS_PROXY`. */
  variable: string
}

export class ProxySettingError extends Error {
  override readonly name = 'ProxySettingError'
}

type Env = Record<string, string | undefined>

/** The first of the variables that is set and not empty, lower case first. */
function setting(env: Env, name: string): { variable: string; value: string } | undefined {
  for (const variable of [name.toLowerCase(), name.toUpperCase()]) {
    const value = env[variable]?.trim()
    if (value) return { variable, value }
  }
  return undefined
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'ws:': 80, 'https:': 443, 'wss:': 443 }

/** A host as it is compared: lower case, IPv6 without brackets, without the trailing dot of a fully qualified name. */
const bare = (host: string) =>
  host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')

/**
 * Whether NO_PROXY / no_proxy sends `host:port` directly: entries are separated by commas or spaces; `*` is every
 * host; a name matches itself and its subdomains (`example.com`, `.example.com` and `*.example.com` all match
 * `ws.example.com` and `example.com`); an IP address matches itself, a CIDR block (`10.0.0.0/8`, `fd00::/8`) the
 * addresses in it; `name:port` or `[v6]:port` only that port.
 */
export function bypassesProxy(host: string, port: number, noProxy: string | undefined): boolean {
  if (!noProxy) return false
  const target = bare(host)
  const family = isIP(target)
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase()
    if (entry === '') continue
    if (entry === '*') return true
    let entryPort: number | undefined
    const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry)
    if (v6) {
      entry = v6[1]!
      entryPort = v6[2] === undefined ? undefined : Number(v6[2])
    } else if (isIP(entry) !== 6 && !entry.includes('/')) {
      const withPort = /^(.*):(\d+)$/.exec(entry)
      if (withPort) {
        entry = withPort[1]!
        entryPort = Number(withPort[2])
      }
    }
    if (entryPort !== undefined && entryPort !== port) continue
    const cidr = /^(.+)\/(\d{1,3})$/.exec(entry)
    if (cidr) {
      const entryFamily = isIP(cidr[1]!)
      if (family === 0 || entryFamily !== family) continue
      const type = family === 4 ? 'ipv4' : 'ipv6'
      const bits = Number(cidr[2])
      if (bits > (family === 4 ? 32 : 128)) continue
      const block = new BlockList()
      block.addSubnet(cidr[1]!, bits, type)
      if (block.check(target, type)) return true
      continue
    }
    const name = bare(entry.replace(/^\*?\./, ''))
    if (name === '') continue
    if (isIP(name) || family) {
      if (name === target) return true
      continue
    }
    if (target === name || target.endsWith(`.${name}`)) return true
  }
  return false
}

/**
 * The proxy for `target` from `env`, or undefined when it is reached directly (no proxy variable for its scheme, or
 * NO_PROXY names it). A proxy value that is not an http:// or https:// URL is a ProxySettingError naming the variable
 * and the fix (its credentials are not shown).
 */
export function proxyFor(target: string | URL, env: Env = process.env): ProxyChoice | undefined {
  const url = typeof target === 'string' ? new URL(target) : target
  const secure = url.protocol === 'https:' || url.protocol === 'wss:'
  if (!secure && url.protocol !== 'http:' && url.protocol !== 'ws:') return undefined
  const chosen = setting(env, secure ? 'HTTPS_PROXY' : 'HTTP_PROXY')
  if (!chosen) return undefined
  const port = Number(url.port || DEFAULT_PORTS[url.protocol])
  if (bypassesProxy(url.hostname, port, setting(env, 'NO_PROXY')?.value)) return undefined
  // `proxy.corp:3128` without a scheme is an http:// proxy, as curl reads it.
  const value = /^[a-z][a-z0-9+.-]*:\/\//i.test(chosen.value) ? chosen.value : `http://${chosen.value}`
  let proxy: URL
  try {
    proxy = new URL(value)
  } catch {
    throw new ProxySettingError(
      `${chosen.variable} is not a URL: set it to the proxy's address, e.g. http://proxy.example.com:3128`,
    )
  }
  const shown = `${proxy.protocol}//${proxy.host}`
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:')
    throw new ProxySettingError(
      `${chosen.variable} names a ${proxy.protocol.replace(/:$/, '')} proxy (${shown}): only http:// and https:// proxies (HTTP CONNECT) are supported; set ${chosen.variable} to one, or add the host to NO_PROXY`,
    )
  if (proxy.hostname === '')
    throw new ProxySettingError(`${chosen.variable} names no host: set it to e.g. http://proxy.example.com:3128`)
  return { url: proxy, shown, variable: chosen.variable }
}

/** The proxy refused the tunnel with a status that a retry will not change (407: credentials; 403: policy). */
export class ProxyRefusedError extends Error {
  override readonly name = 'ProxyRefusedError'
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}

interface TunnelOptions {
  proxy: ProxyChoice
  /** TLS options for an https:// proxy (its own certificate), e.g. `ca`. */
  proxyTls?: ConnectionOptions
  /** How long the proxy has to answer CONNECT (and the TLS inside to complete). */
  timeoutMs: number
  /** Sockets not yet handed to a request: the agent's destroy() ends them too (Node's pools do not hold them yet). */
  pending: Set<Socket>
}

type CreateOptions = ConnectionOptions & { host?: string; hostname?: string; port?: number | string }
type Created = (error: Error | null, socket?: Socket) => void
/** What Node's Agent passes createConnection: the callback that takes a socket made later. */
type AgentCallback = (error: Error | null, stream: Duplex) => void

function needCallback(callback: AgentCallback | undefined): Created {
  if (!callback) throw new Error('a proxy tunnel is opened asynchronously: createConnection needs its callback')
  return callback as Created
}

/** Opens `CONNECT host:port` through the proxy and hands the raw tunnel to `done`. */
function openTunnel(tunnel: TunnelOptions, host: string, port: number, done: Created): void {
  const { url } = tunnel.proxy
  const proxyPort = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
  const proxyHost = bare(url.hostname)
  const socket: Socket =
    url.protocol === 'https:'
      ? tlsConnect({
          ...tunnel.proxyTls,
          host: proxyHost,
          port: proxyPort,
          servername: isIP(proxyHost) ? undefined : proxyHost,
        })
      : netConnect({ host: proxyHost, port: proxyPort })
  const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`
  const headers = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`]
  if (url.username || url.password) {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
    headers.push(`Proxy-Authorization: Basic ${Buffer.from(credentials).toString('base64')}`)
  }
  let settled = false
  tunnel.pending.add(socket)
  socket.setTimeout(tunnel.timeoutMs, () =>
    finish(
      new Error(
        `the proxy ${tunnel.proxy.shown} (${tunnel.proxy.variable}) did not answer CONNECT ${authority} within ${tunnel.timeoutMs / 1000} s`,
      ),
    ),
  )
  const finish = (error: Error | null) => {
    if (settled) return
    settled = true
    tunnel.pending.delete(socket)
    socket.setTimeout(0)
    socket.removeListener('data', onData)
    if (error) {
      socket.destroy()
      return done(error)
    }
    done(null, socket)
  }
  let received = Buffer.alloc(0)
  const onData = (chunk: Buffer) => {
    received = Buffer.concat([received, chunk])
    const end = received.indexOf('\r\n\r\n')
    if (end < 0) {
      if (received.length > 16 * 1024)
        finish(new Error(`the proxy ${tunnel.proxy.shown} sent an endless answer to CONNECT`))
      return
    }
    const statusLine = received.subarray(0, received.indexOf('\r\n')).toString('latin1')
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0)
    if (status >= 200 && status < 300) {
      // Bytes after the answer belong to the tunnel (the server speaks first only in TLS's ServerHello, after ours).
      const rest = received.subarray(end + 4)
      if (rest.length) socket.unshift(rest)
      return finish(null)
    }
    const answered = statusLine.replace(/^HTTP\/1\.[01] /, '') || 'no HTTP status'
    const message = `the proxy ${tunnel.proxy.shown} (${tunnel.proxy.variable}) answered ${answered} to CONNECT ${authority}`
    finish(
      status === 407
        ? new ProxyRefusedError(
            `${message}: the proxy wants credentials; put them in ${tunnel.proxy.variable} (http://user:password@host:port)`,
            status,
          )
        : status === 403
          ? new ProxyRefusedError(
              `${message}: the proxy does not allow it; add the host to NO_PROXY if it is reachable directly`,
              status,
            )
          : new Error(message),
    )
  }
  socket.on('data', onData)
  socket.once('error', (error) =>
    finish(new Error(`cannot reach the proxy ${tunnel.proxy.shown} (${tunnel.proxy.variable}): ${error.message}`)),
  )
  socket.once('close', () =>
    finish(new Error(`the proxy ${tunnel.proxy.shown} closed the connection before answering CONNECT ${authority}`)),
  )
  socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () =>
    socket.write(`${headers.join('\r\n')}\r\n\r\n`),
  )
}

function targetOf(options: CreateOptions): { host: string; port: number } {
  return { host: bare(String(options.hostname ?? options.host ?? 'localhost')), port: Number(options.port) }
}

/** An https.Agent whose connections are TLS (to the target: its name, `ca`, ...) inside a CONNECT tunnel. */
class HttpsTunnelAgent extends HttpsAgent {
  constructor(
    private readonly tunnel: TunnelOptions,
    options: AgentOptions,
  ) {
    super(options)
  }

  override destroy(): void {
    for (const socket of this.tunnel.pending) socket.destroy()
    super.destroy()
  }

  override createConnection(options: CreateOptions, agentCallback?: AgentCallback): undefined {
    const callback = needCallback(agentCallback)
    const { host, port } = targetOf(options)
    openTunnel(this.tunnel, host, port, (error, raw) => {
      if (error || !raw) return callback(error ?? new Error('no tunnel'))
      const secure = tlsConnect({
        ...options,
        socket: raw,
        servername: options.servername ?? (isIP(host) ? undefined : host),
      })
      this.tunnel.pending.add(secure)
      let settled = false
      const settle = (error: Error | null) => {
        if (settled) return
        settled = true
        this.tunnel.pending.delete(secure)
        secure.setTimeout(0)
        secure.removeListener('error', settle)
        if (error) {
          secure.destroy()
          return callback(error)
        }
        callback(null, secure)
      }
      secure.once('error', settle)
      secure.once('close', () => settle(new Error(`the TLS with ${host}:${port} through the proxy was closed`)))
      secure.setTimeout(this.tunnel.timeoutMs, () =>
        settle(new Error(`no TLS with ${host}:${port} through the proxy within ${this.tunnel.timeoutMs / 1000} s`)),
      )
      secure.once('secureConnect', () => settle(null))
    })
    return undefined
  }
}

/** An http.Agent whose connections are CONNECT tunnels (ws:// and http:// through the proxy). */
class HttpTunnelAgent extends HttpAgent {
  constructor(
    private readonly tunnel: TunnelOptions,
    options: AgentOptions,
  ) {
    super(options)
  }

  override destroy(): void {
    for (const socket of this.tunnel.pending) socket.destroy()
    super.destroy()
  }

  override createConnection(options: CreateOptions, agentCallback?: AgentCallback): undefined {
    const { host, port } = targetOf(options)
    openTunnel(this.tunnel, host, port, needCallback(agentCallback))
    return undefined
  }
}

/**
 * An agent that reaches `target` through `proxy` (https.Agent for wss:// and https://, http.Agent otherwise). Pass the
 * target's TLS options (`ca`, `servername`, ...) to the request as usual: they apply to the TLS inside the tunnel.
 */
export function tunnelAgent(
  target: string | URL,
  proxy: ProxyChoice,
  options: { proxyTls?: ConnectionOptions; agent?: HttpsAgentOptions; timeoutMs?: number } = {},
): HttpAgent {
  const url = typeof target === 'string' ? new URL(target) : target
  const tunnel: TunnelOptions = {
    proxy,
    proxyTls: options.proxyTls,
    timeoutMs: options.timeoutMs ?? 30_000,
    pending: new Set(),
  }
  const agentOptions = { keepAlive: false, ...options.agent }
  return url.protocol === 'https:' || url.protocol === 'wss:'
    ? new HttpsTunnelAgent(tunnel, agentOptions)
    : new HttpTunnelAgent(tunnel, agentOptions)
}
