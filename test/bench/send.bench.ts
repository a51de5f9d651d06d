// CPU per `socket.send` in the runtime, all rows measured in the same process against the same local @connections
// server, interleaved: the AWS SDK client as runtime/connections.ts configured it before (baseline), the best
// SDK-only configuration found (not shipped), runtime/connections.ts as it is now (clientFor + the send fast path),
// and the floor (a bare node:http POST with no SDK and no signing).
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
import http from 'node:http'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'

// The runtime signs with whatever credentials the Lambda environment has; give the SDK dummy ones.
process.env.AWS_ACCESS_KEY_ID ??= 'AKIDBENCHBENCHBENCH0'
process.env.AWS_SECRET_ACCESS_KEY ??= 'bench-secret-access-key'
process.env.AWS_REGION ??= 'us-east-1'

const { ApiGatewayManagementApiClient } = await import('@aws-sdk/client-apigatewaymanagementapi')
const { broadcast, clientFor, KeyedSha256, postToConnection, sendThroughSdk } = await import(
  '../../runtime/connections.ts'
)

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

interface Sender {
  post(id: string, payload: Uint8Array): Promise<void>
  /** Resolves to the gone ids. */
  broadcast(payload: unknown, ids: string[]): Promise<string[]>
  close(): void
}
interface Config {
  name: string
  make(domain: string, stage: string): Sender
}

function sdkSender(client: Client): Sender {
  return {
    post: (id, payload) => postToConnection(client, id, payload),
    broadcast: (payload, ids) => broadcast(client, payload, ids),
    close: () => client.destroy(),
  }
}

// The best SDK-only configuration found while profiling (kept to justify the fast path): the runtime's KeyedSha256,
// one SignatureV4 per client instead of one per request, and no user-agent, recursion-detection or logger
// middleware. Every send through client.send. Not what the runtime ships.
function tunedSdkClient(endpoint: string): Client {
  const client = new ApiGatewayManagementApiClient({
    endpoint,
    cacheMiddleware: true,
    sha256: KeyedSha256,
    requestHandler: { httpAgent: new http.Agent({ keepAlive: true, maxSockets: 50 }) },
  })
  for (const name of ['getUserAgentMiddleware', 'recursionDetectionMiddleware', 'loggerMiddleware'])
    client.middlewareStack.remove(name)
  const config = client.config as unknown as { signer: (scheme?: unknown) => Promise<unknown> }
  const makeSigner = config.signer
  let signer: Promise<unknown> | undefined
  config.signer = (scheme) => (signer ??= makeSigner(scheme))
  sendThroughSdk(client)
  return client
}

// The floor: the same POST with node:http on a keep-alive agent, headers as the fast path sends them but with a
// fixed (fake) signature, no SDK, no signing. Its broadcast runs 32 lanes like the runtime's.
function floorSender(domain: string, stage: string): Sender {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 50 })
  const [host, port] = domain.split(':') as [string, string]
  const auth = `AWS4-HMAC-SHA256 Credential=AKIDBENCHBENCHBENCH0/20261126/us-east-1/execute-api/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=${'0'.repeat(64)}`
  const post = (id: string, payload: Uint8Array) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host,
          port: Number(port),
          method: 'POST',
          path: `/${stage}/@connections/${encodeURIComponent(id)}`,
          headers: {
            'content-type': 'application/octet-stream',
            'content-length': String(payload.byteLength),
            'x-amz-date': '20261126T101010Z',
            'x-amz-content-sha256': '0'.repeat(64),
            authorization: auth,
          },
        },
        (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode ?? 0))
        },
      )
      req.on('error', reject)
      req.end(payload)
    })
  return {
    post: async (id, payload) => {
      const status = await post(id, payload)
      if (status !== 200) throw new Error(`floor: HTTP ${status}`)
    },
    broadcast: async (data, ids) => {
      const payload = Buffer.from(JSON.stringify(data))
      const gone: string[] = []
      let next = 0
      const lane = async () => {
        while (next < ids.length) {
          const id = ids[next++]!
          if ((await post(id, payload)) === 410) gone.push(id)
        }
      }
      await Promise.all(Array.from({ length: Math.min(32, ids.length) }, lane))
      return gone
    },
    close: () => agent.destroy(),
  }
}

const configs: Config[] = [
  {
    // runtime/connections.ts before this change: every send through the SDK client, built as below.
    name: 'baseline: SDK client (endpoint, cacheMiddleware)',
    make: (domain, stage) => {
      const client = new ApiGatewayManagementApiClient({ endpoint: `http://${domain}/${stage}`, cacheMiddleware: true })
      sendThroughSdk(client)
      return sdkSender(client)
    },
  },
  {
    name: 'SDK client, tuned (not shipped)',
    make: (domain, stage) => sdkSender(tunedSdkClient(`http://${domain}/${stage}`)),
  },
  {
    name: 'runtime now: clientFor (fast path)',
    make: (domain, stage) => sdkSender(clientFor(`http://${domain}/${stage}`)),
  },
  {
    name: 'floor: node:http POST, no SDK, no signing',
    make: floorSender,
  },
]

// ---- measuring -----------------------------------------------------------------------------------------------------

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}
const cpuMicros = (u: NodeJS.CpuUsage) => u.user + u.system

async function sequentialSends(
  sender: Sender,
  n: number,
  payload: Uint8Array,
): Promise<{ cpuUs: number; wallMs: number }> {
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  for (let i = 0; i < n; i++) await sender.post(`conn-${i}`, payload)
  const cpu = cpuMicros(process.cpuUsage(c0))
  return { cpuUs: cpu / n, wallMs: performance.now() - t0 }
}

const ids = Array.from({ length: broadcastIds }, (_, i) => (i % 20 === 19 ? `gone-${i}` : `conn-${i}`))
const expectedGone = ids.filter((id) => id.startsWith('gone-')).length

async function oneBroadcast(sender: Sender, payload: unknown): Promise<{ cpuMs: number; wallMs: number }> {
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  const gone = await sender.broadcast(payload, ids)
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
    for (let k = 0; k < warmup; k++) await client.post(`conn-${k}`, payload)
    await oneBroadcast(client, { hello: 'all' })
  }
  const sendRuns = clients.map(() => [] as { cpuUs: number; wallMs: number }[])
  const broadcastRuns = clients.map(() => [] as { cpuMs: number; wallMs: number }[])
  // Interleaved, so that drift on a shared VM hits every configuration alike.
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
  for (const client of clients) client.close()
} finally {
  server.child.kill()
}

// ---- report --------------------------------------------------------------------------------------------------------

const base = rows[0]!
if (flags.json) {
  process.stdout.write(
    `${JSON.stringify({ node: process.version, sends, runs, broadcastIds, warmup, serverSockets, rows }, null, 2)}\n`,
  )
} else {
  const header = [
    'configuration',
    'CPU µs/send',
    'vs baseline',
    'wall µs/send',
    `broadcast ${broadcastIds}: CPU ms`,
    'wall ms',
  ]
  const lines = rows.map((r) => [
    r.config,
    r.sendCpuUs.toFixed(0),
    r === base ? '' : `${(base.sendCpuUs / r.sendCpuUs).toFixed(2)}x less`,
    r.sendWallUs.toFixed(0),
    r.broadcastCpuMs.toFixed(1),
    r.broadcastWallMs.toFixed(1),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const fmt = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`
  console.log(
    `node ${process.version}, ${sends} sequential sends per run, broadcast to ${broadcastIds} ids (${expectedGone} gone), median of ${runs} runs`,
  )
  console.log(fmt(header))
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`)
  for (const l of lines) console.log(fmt(l))
  console.log(`  TCP connections accepted by the server over the whole run: ${serverSockets}`)
  for (const r of rows)
    console.log(
      `  ${r.config}: CPU µs/send per run ${r.sendCpuUsRuns.join(', ')}; broadcast CPU ms per run ${r.broadcastCpuMsRuns.join(', ')}`,
    )
}
