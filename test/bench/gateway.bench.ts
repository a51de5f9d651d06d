// Echo throughput and latency of the local gateway (`socket-action dev` serving examples/echo) against a plain `ws`
// echo server measured in the same run, at 1 and 50 concurrent clients, each client in a closed loop.
//
//   npm run bench:gateway                           # 5 s per scenario, table on stdout
//   BENCH_SECONDS=2 npm run bench:gateway -- --json # shorter, JSON on stdout
//   npm run bench:gateway -- --seconds 10 --clients 1,10,50 --only gateway
//
// (`npm run bench` runs this and then test/bench/deploy.bench.ts; pass flags through bench:gateway.)
//
// Flags (env var in brackets): --seconds N [BENCH_SECONDS] measured time per scenario (default 5),
// --warmup N [BENCH_WARMUP] round trips per scenario before measuring, spread over its clients (default 2000: each
// gateway scenario starts a fresh Lambda worker whose AWS SDK path is still being JIT-compiled after 200),
// --clients A,B [BENCH_CLIENTS] client counts (default 1,50), --only plain|gateway, --json,
// --concurrency N the gateway's execution environments (default: dev's, 10).
//
// Everything listens on 127.0.0.1 with port 0; clients and servers are closed at the end so the process exits.
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { WebSocket, WebSocketServer } from 'ws'
import { startDev } from '../../src/dev/serve.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const echoConfig = path.resolve(here, '../../examples/echo/serverless.yml')

type Kind = 'plain' | 'gateway'

interface Result {
  scenario: string
  kind: Kind
  clients: number
  seconds: number
  messages: number
  messagesPerSecond: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  errors: number
  /** Gateway rows: messages/s over the plain server's at the same client count. */
  ratioToPlain?: number
}

interface Target {
  url: string
  close(): Promise<void>
}

// ---- options ---------------------------------------------------------------------------------------------------

const { values: flags } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    clients: { type: 'string' },
    only: { type: 'string' },
    concurrency: { type: 'string' },
  },
  strict: true,
})

function positiveNumber(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`)
  return n
}

const seconds = positiveNumber('--seconds / BENCH_SECONDS', flags.seconds ?? process.env.BENCH_SECONDS, 5)
const warmup = Math.round(positiveNumber('--warmup / BENCH_WARMUP', flags.warmup ?? process.env.BENCH_WARMUP, 2000))
// Lambda execution environments of the gateway (`socket-action dev --concurrency`), default as dev's.
const environments =
  flags.concurrency === undefined ? undefined : Math.round(positiveNumber('--concurrency', flags.concurrency, 1))
const clientCounts = (flags.clients ?? process.env.BENCH_CLIENTS ?? '1,50')
  .split(',')
  .map((s) => Math.round(positiveNumber('--clients / BENCH_CLIENTS', s.trim(), 1)))
if (flags.only !== undefined && flags.only !== 'plain' && flags.only !== 'gateway') {
  throw new Error(`--only must be "plain" or "gateway", got "${flags.only}"`)
}
const kinds: Kind[] = flags.only ? [flags.only as Kind] : ['plain', 'gateway']

// The echo example's socket.js console.logs on connect/disconnect; a worker's stdout is piped into this process's
// process.stdout. Keep stdout for the results only (a clean table or JSON) by discarding everything else written
// there; progress goes to stderr.
const writeStdout = process.stdout.write.bind(process.stdout)
process.stdout.write = ((_chunk: unknown, encoding?: unknown, callback?: unknown) => {
  const cb = typeof encoding === 'function' ? encoding : callback
  if (typeof cb === 'function') queueMicrotask(() => (cb as () => void)())
  return true
}) as typeof process.stdout.write
const progress = (line: string) => process.stderr.write(`${line}\n`)

// ---- servers ---------------------------------------------------------------------------------------------------

async function startPlain(): Promise<Target> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
  })
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve)
    wss.once('error', reject)
  })
  const { port } = wss.address() as { port: number }
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const ws of wss.clients) ws.terminate()
        wss.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

async function startGateway(): Promise<Target> {
  const dev = await startDev({
    configFile: echoConfig,
    host: '127.0.0.1',
    port: 0,
    watch: false,
    log: () => {},
    maxEnvironments: environments,
  })
  return { url: dev.url, close: () => dev.close() }
}

// ---- clients ---------------------------------------------------------------------------------------------------

/** One client in a closed loop: send a frame, wait for its echo, send the next. */
class LoopClient {
  private n = 0
  private sentAt = 0
  private remaining = 0
  private deadline = 0
  private done: (() => void) | undefined
  latencies: number[] = []
  completed = 0
  errors = 0
  lastEchoAt = 0
  recording = false

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.onEcho(data.toString()))
  }

  static async connect(url: string): Promise<LoopClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false })
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
      ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused: HTTP ${res.statusCode}`)))
    })
    ws.on('error', () => {})
    return new LoopClient(ws)
  }

  /** Runs `count` round trips (if given) or until `deadline` (performance.now() ms) passes. */
  run(options: { count?: number; deadline?: number }): Promise<void> {
    this.remaining = options.count ?? Infinity
    this.deadline = options.deadline ?? Infinity
    return new Promise((resolve) => {
      this.done = resolve
      this.sendNext()
    })
  }

  private sendNext(): void {
    this.n++
    this.sentAt = performance.now()
    // The plain server echoes the whole frame; the gateway's echo handler (route "message") sends back `data`.
    this.ws.send(`{"route":"message","data":{"i":${this.n},"t":${this.sentAt}}}`)
  }

  private onEcho(text: string): void {
    const now = performance.now()
    if (!this.done) return
    let i: unknown
    try {
      const parsed = JSON.parse(text) as { i?: unknown; data?: { i?: unknown } }
      i = parsed.data?.i ?? parsed.i
    } catch {
      i = undefined
    }
    if (i !== this.n) {
      // Not our echo (e.g. the gateway's {"message":"Internal server error"} frame): count it and move on.
      this.errors++
    } else if (this.recording) {
      this.latencies.push(now - this.sentAt)
      this.completed++
      this.lastEchoAt = now
    }
    this.remaining--
    if (this.remaining > 0 && now < this.deadline) {
      this.sendNext()
    } else {
      const done = this.done
      this.done = undefined
      done()
    }
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.ws.terminate()
        resolve()
      }, 2000)
      this.ws.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
      this.ws.close(1000)
    })
  }
}

/** Rejects if `promise` has not settled after `ms`: a lost echo must not hang the benchmark. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index]!
}

async function scenario(kind: Kind, clients: number): Promise<Result> {
  const name = kind === 'plain' ? 'plain ws echo' : 'gateway (examples/echo)'
  progress(`${name}, ${clients} client${clients === 1 ? '' : 's'}: ${seconds} s`)
  const target = kind === 'plain' ? await startPlain() : await startGateway()
  const pool: LoopClient[] = []
  try {
    pool.push(...(await Promise.all(Array.from({ length: clients }, () => LoopClient.connect(target.url)))))

    const perClient = Math.max(1, Math.ceil(warmup / clients))
    await within(Promise.all(pool.map((c) => c.run({ count: perClient }))), 60_000, 'warm-up')

    for (const c of pool) c.recording = true
    const start = performance.now()
    const deadline = start + seconds * 1000
    await within(Promise.all(pool.map((c) => c.run({ deadline }))), seconds * 1000 + 30_000, 'measured loop')

    const messages = pool.reduce((sum, c) => sum + c.completed, 0)
    const end = Math.max(deadline, ...pool.map((c) => c.lastEchoAt))
    const elapsed = (end - start) / 1000
    const sorted = Float64Array.from(pool.flatMap((c) => c.latencies)).sort()
    const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits
    return {
      scenario: name,
      kind,
      clients,
      seconds: round(elapsed, 3),
      messages,
      messagesPerSecond: round(messages / elapsed, 0),
      p50Ms: round(percentile(sorted, 50), 3),
      p99Ms: round(percentile(sorted, 99), 3),
      maxMs: round(sorted.length ? sorted[sorted.length - 1]! : NaN, 3),
      errors: pool.reduce((sum, c) => sum + c.errors, 0),
    }
  } finally {
    await Promise.all(pool.map((c) => c.close()))
    await target.close()
  }
}

// ---- run -------------------------------------------------------------------------------------------------------

function table(results: Result[]): string {
  const header = ['scenario', 'clients', 'messages/s', 'p50 ms', 'p99 ms', 'vs plain']
  const rows = results.map((r) => [
    r.scenario,
    String(r.clients),
    r.messagesPerSecond.toLocaleString('en-US'),
    r.p50Ms.toFixed(3),
    r.p99Ms.toFixed(3),
    r.ratioToPlain === undefined ? '' : `${r.ratioToPlain.toFixed(3)}x`,
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`
  return [line(header), rule, ...rows.map(line)].join('\n')
}

const results: Result[] = []
for (const kind of kinds) {
  for (const clients of clientCounts) results.push(await scenario(kind, clients))
}
for (const r of results) {
  const plain = results.find((p) => p.kind === 'plain' && p.clients === r.clients)
  if (r.kind === 'gateway' && plain)
    r.ratioToPlain = Math.round((r.messagesPerSecond / plain.messagesPerSecond) * 1000) / 1000
}

const errors = results.reduce((sum, r) => sum + r.errors, 0)
if (flags.json) {
  const machine = {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: (await import('node:os')).availableParallelism(),
  }
  writeStdout(`${JSON.stringify({ machine, secondsPerScenario: seconds, warmup, results }, null, 2)}\n`)
} else {
  writeStdout(`${table(results)}\n`)
  if (errors > 0)
    writeStdout(`\n${errors} unexpected frame(s) (not the echo of the frame in flight); see "errors" in --json\n`)
}
process.exitCode = errors > 0 ? 1 : 0
