// CPU per `socket.send` in the runtime: the AWS SDK @connections client as it was configured before (baseline) and
// as runtime/connections.ts configures it now, both measured in the same process against the same local
// @connections server.
//
//   npm run bench:send                       # table on stdout
//   npm run bench:send -- --json
//   npm run bench:send -- --sends 5000 --runs 9 --broadcast 2000
//
// Flags (env var in brackets): --sends N [BENCH_SENDS] sequential sends per run (default 2000), --runs N [BENCH_RUNS]
// runs per configuration, median reported (default 5), --broadcast N [BENCH_BROADCAST] ids per broadcast (default
// 1000, every 20th answered 410), --warmup N [BENCH_WARMUP] sends per configuration before measuring (default 3000),
// --json.
//
// The @connections server is a minimal node:http server in a CHILD process, so that process.cpuUsage() here counts
// only the client side: the runtime's code, the SDK and Node's HTTP client. It answers 200 to
// POST /{stage}/@connections/{id}, and 410 GoneException when the id starts with "gone-".
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, createHmac, createSecretKey, type Hash, type Hmac, type KeyObject } from 'node:crypto'
import http from 'node:http'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'

// The runtime signs with whatever credentials the Lambda environment has; give the SDK dummy ones.
process.env.AWS_ACCESS_KEY_ID ??= 'AKIDBENCHBENCHBENCH0'
process.env.AWS_SECRET_ACCESS_KEY ??= 'bench-secret-access-key'
process.env.AWS_REGION ??= 'us-east-1'

const { ApiGatewayManagementApiClient } = await import('@aws-sdk/client-apigatewaymanagementapi')
const { NodeHttpHandler } = await import('@smithy/node-http-handler')
const { broadcast, clientFor, connectionsEndpoint, postToConnection, sendThroughSdk } = await import('../../runtime/connections.ts')

type Client = InstanceType<typeof ApiGatewayManagementApiClient>

// ---- options ---------------------------------------------------------------------------------------------------

const { values: flags } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    sends: { type: 'string' },
    runs: { type: 'string' },
    broadcast: { type: 'string' },
    warmup: { type: 'string' },
  },
  strict: true,
})

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`)
  return n
}

const sends = positiveInt('--sends / BENCH_SENDS', flags.sends ?? process.env.BENCH_SENDS, 2000)
const runs = positiveInt('--runs / BENCH_RUNS', flags.runs ?? process.env.BENCH_RUNS, 5)
const broadcastIds = positiveInt('--broadcast / BENCH_BROADCAST', flags.broadcast ?? process.env.BENCH_BROADCAST, 1000)
const warmup = positiveInt('--warmup / BENCH_WARMUP', flags.warmup ?? process.env.BENCH_WARMUP, 3000)
const progress = (line: string) => process.stderr.write(`${line}\n`)

// ---- the @connections server, in a child process -----------------------------------------------------------------

const SERVER = `
const http = require('node:http')
let sockets = 0
const server = http.createServer({ keepAliveTimeout: 60000 }, (req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const m = /^\\/([^/]+)\\/@connections\\/([^/?]+)$/.exec(req.url)
    if (req.method !== 'POST' || !m) { res.writeHead(404); res.end(); return }
    if (decodeURIComponent(m[2]).startsWith('gone-')) {
      res.writeHead(410, { 'x-amzn-ErrorType': 'GoneException', 'content-type': 'application/json' })
      res.end('{"message":null}')
      return
    }
    res.writeHead(200)
    res.end()
  })
})
server.on('connection', () => sockets++)
process.on('message', () => process.send({ sockets }))
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
`

interface Server {
  domain: string
  child: ChildProcess
  sockets(): Promise<number>
}

async function startServer(): Promise<Server> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port))
    child.once('exit', (code) => reject(new Error(`@connections server exited early (${code})`)))
  })
  return {
    domain: `127.0.0.1:${port}`,
    child,
    sockets: () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve((m as { sockets: number }).sockets))
        child.send('sockets?')
      }),
  }
}

// ---- the configurations ------------------------------------------------------------------------------------------

interface Config {
  name: string
  make(domain: string, stage: string): Client
}

// The best SDK-only configuration found while profiling (kept here to justify the fast path): one SignatureV4 per
// client instead of one per request, HMAC keys kept as KeyObjects, and no user-agent, recursion-detection or logger
// middleware. Not what the runtime ships.
const hmacKeys = new Map<string, KeyObject>()
const hmacKeyObjects = new WeakMap<Uint8Array, KeyObject>()
function hmacKey(secret: string | Uint8Array): KeyObject {
  if (typeof secret === 'string') {
    let key = hmacKeys.get(secret)
    if (!key) hmacKeys.set(secret, (key = createSecretKey(Buffer.from(secret))))
    return key
  }
  let key = hmacKeyObjects.get(secret)
  if (!key) hmacKeyObjects.set(secret, (key = createSecretKey(Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength))))
  return key
}
class KeyedSha256 {
  private readonly hash: Hash | Hmac
  constructor(secret?: string | Uint8Array) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', hmacKey(secret))
  }
  update(data: Uint8Array | string): void {
    this.hash.update(data)
  }
  async digest(): Promise<Uint8Array> {
    const b = this.hash.digest()
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
  }
  reset(): void {
    throw new Error('KeyedSha256: reset is not supported')
  }
}
function tunedSdkClient(endpoint: string): Client {
  const client = new ApiGatewayManagementApiClient({
    endpoint,
    cacheMiddleware: true,
    sha256: KeyedSha256 as never,
    requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets: 50 }) }),
  })
  for (const name of ['getUserAgentMiddleware', 'recursionDetectionMiddleware', 'loggerMiddleware']) client.middlewareStack.remove(name)
  const config = client.config as unknown as { signer: (scheme?: unknown) => Promise<unknown> }
  const makeSigner = config.signer
  let signer: Promise<unknown> | undefined
  config.signer = (scheme) => (signer ??= makeSigner(scheme))
  sendThroughSdk(client)
  return client
}

const configs: Config[] = [
  {
    // runtime/connections.ts before this change: every send through the SDK client, built as below.
    name: 'baseline: SDK client (endpoint, cacheMiddleware)',
    make: (domain, stage) => {
      const client = new ApiGatewayManagementApiClient({ endpoint: connectionsEndpoint(domain, stage), cacheMiddleware: true })
      sendThroughSdk(client)
      return client
    },
  },
  {
    name: 'SDK client, tuned (not shipped)',
    make: (domain, stage) => tunedSdkClient(connectionsEndpoint(domain, stage)),
  },
  {
    name: 'runtime now: clientFor + fast path',
    make: (domain, stage) => clientFor(domain, stage),
  },
]

// ---- measuring -----------------------------------------------------------------------------------------------------

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}
const cpuMicros = (u: NodeJS.CpuUsage) => u.user + u.system

async function sequentialSends(client: Client, n: number, payload: Uint8Array): Promise<{ cpuUs: number; wallMs: number }> {
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  for (let i = 0; i < n; i++) await postToConnection(client, `conn-${i}`, payload)
  const cpu = cpuMicros(process.cpuUsage(c0))
  return { cpuUs: cpu / n, wallMs: performance.now() - t0 }
}

const ids = Array.from({ length: broadcastIds }, (_, i) => (i % 20 === 19 ? `gone-${i}` : `conn-${i}`))
const expectedGone = ids.filter((id) => id.startsWith('gone-')).length

async function oneBroadcast(client: Client, payload: unknown): Promise<{ cpuMs: number; wallMs: number }> {
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  const gone = await broadcast(client, payload, ids)
  const cpu = cpuMicros(process.cpuUsage(c0))
  const wallMs = performance.now() - t0
  if (gone.length !== expectedGone) throw new Error(`broadcast: ${gone.length} gone ids, expected ${expectedGone}`)
  return { cpuMs: cpu / 1000, wallMs }
}

interface Row {
  config: string
  sendCpuUs: number
  sendCpuUsRuns: number[]
  sendWallUs: number
  broadcastCpuMs: number
  broadcastWallMs: number
  broadcastCpuMsRuns: number[]
}

const server = await startServer()
const payload = Buffer.from(JSON.stringify({ route: 'message', data: { i: 1, text: 'hello' } }))
const rows: Row[] = []
// TCP connections the server accepted over the whole run (all configurations): a handful if keep-alive works.
let serverSockets = 0
try {
  // One client per configuration, each to its own endpoint path (stage) so they share nothing but the process.
  const clients = configs.map((config, i) => config.make(server.domain, `bench${i}`))
  for (const [i, client] of clients.entries()) {
    progress(`warm-up: ${configs[i]!.name}`)
    for (let k = 0; k < warmup; k++) await postToConnection(client, `conn-${k}`, payload)
    await oneBroadcast(client, { hello: 'all' })
  }
  const sendRuns = clients.map(() => [] as { cpuUs: number; wallMs: number }[])
  const broadcastRuns = clients.map(() => [] as { cpuMs: number; wallMs: number }[])
  // Interleaved, so that drift on a shared VM hits both configurations alike.
  for (let r = 0; r < runs; r++) {
    for (const [i, client] of clients.entries()) {
      sendRuns[i]!.push(await sequentialSends(client, sends, payload))
      broadcastRuns[i]!.push(await oneBroadcast(client, { hello: 'all', r }))
    }
    progress(`run ${r + 1}/${runs}`)
  }
  serverSockets = await server.sockets()
  for (const [i, config] of configs.entries()) {
    rows.push({
      config: config.name,
      sendCpuUs: median(sendRuns[i]!.map((x) => x.cpuUs)),
      sendCpuUsRuns: sendRuns[i]!.map((x) => Math.round(x.cpuUs)),
      sendWallUs: median(sendRuns[i]!.map((x) => (x.wallMs * 1000) / sends)),
      broadcastCpuMs: median(broadcastRuns[i]!.map((x) => x.cpuMs)),
      broadcastWallMs: median(broadcastRuns[i]!.map((x) => x.wallMs)),
      broadcastCpuMsRuns: broadcastRuns[i]!.map((x) => Math.round(x.cpuMs)),
    })
  }
  for (const client of clients) client.destroy()
} finally {
  server.child.kill()
}

// ---- report --------------------------------------------------------------------------------------------------------

const base = rows[0]!
if (flags.json) {
  process.stdout.write(`${JSON.stringify({ node: process.version, sends, runs, broadcastIds, warmup, serverSockets, rows }, null, 2)}\n`)
} else {
  const header = ['configuration', 'CPU µs/send', 'vs baseline', 'wall µs/send', `broadcast ${broadcastIds}: CPU ms`, 'wall ms']
  const lines = rows.map((r) => [
    r.config,
    r.sendCpuUs.toFixed(0),
    r === base ? '' : `${(base.sendCpuUs / r.sendCpuUs).toFixed(2)}x less`,
    r.sendWallUs.toFixed(0),
    r.broadcastCpuMs.toFixed(1),
    r.broadcastWallMs.toFixed(1),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`
  console.log(`node ${process.version}, ${sends} sequential sends per run, broadcast to ${broadcastIds} ids (${expectedGone} gone), median of ${runs} runs`)
  console.log(fmt(header))
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`)
  for (const l of lines) console.log(fmt(l))
  console.log(`  TCP connections accepted by the server over the whole run: ${serverSockets}`)
  for (const r of rows) console.log(`  ${r.config}: CPU µs/send per run ${r.sendCpuUsRuns.join(', ')}; broadcast CPU ms per run ${r.broadcastCpuMsRuns.join(', ')}`)
}
