// The connection registry through `socket-action dev` (issue 17): a broadcast to a room of 1,000 and of 10,000 real
// `ws` clients with every @connections POST answered 20 ms late by the gateway, `socket.to(room).send` (pages of the
// registry read while posting, 100 at a time) against `socket.broadcast(data, ids)` with the same ids (the old API,
// 32 at a time) in the same run; and what registering adds to the $connect handshake.
//
//   npm run bench:rooms                              # table on stdout, progress on stderr
//   npm run bench:rooms -- --json
//   npm run bench:rooms -- --sizes 1000 --runs 5 --delay 20 --connects 500
//
// Flags (env var in brackets): --sizes A,B [BENCH_SIZES] room sizes, ascending (default 1000,10000: the clients of the
// smaller room stay and more join, so the largest size is the number of connections), --runs N [BENCH_RUNS]
// measured broadcasts per row, median reported (default 3), --delay MS [BENCH_POST_DELAY_MS] the gateway's delay per
// @connections POST (default 20), --concurrency N [BENCH_CONCURRENCY] execution environments (default 1: one worker
// thread runs every event, so its CPU is the function's; the baseline's ids are kept in its module memory),
// --parallel N [BENCH_PARALLEL] handshakes in flight while the members connect (default 64), --connects N
// [BENCH_CONNECTS] sequential handshakes per app for the $connect rows (default 300, after 50 unmeasured), --only
// broadcast|connect, --json.
//
// The members run in a child process (test/bench/fixtures/rooms/clients.mjs); the driver connection that triggers each
// broadcast, and is in no room, runs here. The app is test/bench/fixtures/rooms/socket.js: it measures the broadcast's
// duration and its worker thread's CPU (process.threadCpuUsage, Node >= 23.9) and sends them to the driver.
// Registry requests are counted by operation in this process, where the gateway's store answers them.
import { type ChildProcess, fork } from 'node:child_process'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { WebSocket } from 'ws'
import { FAN_OUT_CONCURRENCY } from '../../runtime/connection-registry.ts'
import { itemSize } from '../../runtime/connection-store.ts'
import { MemoryConnectionStore } from '../../src/dev/connection-store.ts'
import { type DevServer, startDev } from '../../src/dev/serve.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const fixture = path.join(here, 'fixtures/rooms')

// ---- options ---------------------------------------------------------------------------------------------------

const { values: flags } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    runs: { type: 'string' },
    delay: { type: 'string' },
    concurrency: { type: 'string' },
    parallel: { type: 'string' },
    connects: { type: 'string' },
    only: { type: 'string' },
  },
  strict: true,
})

function positiveInt(name: string, raw: string | undefined, fallback: number, zero = false): number {
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < (zero ? 0 : 1))
    throw new Error(`${name} must be a ${zero ? 'non-negative' : 'positive'} integer, got "${raw}"`)
  return n
}

const sizes = (flags.sizes ?? process.env.BENCH_SIZES ?? '1000,10000')
  .split(',')
  .map((s) => positiveInt('--sizes / BENCH_SIZES', s.trim(), 0))
if (sizes.some((s, i) => i > 0 && s <= sizes[i - 1]!)) throw new Error('--sizes must be ascending')
const runs = positiveInt('--runs / BENCH_RUNS', flags.runs ?? process.env.BENCH_RUNS, 3)
const delayMs = positiveInt('--delay / BENCH_POST_DELAY_MS', flags.delay ?? process.env.BENCH_POST_DELAY_MS, 20, true)
const environments = positiveInt(
  '--concurrency / BENCH_CONCURRENCY',
  flags.concurrency ?? process.env.BENCH_CONCURRENCY,
  1,
)
const parallel = positiveInt('--parallel / BENCH_PARALLEL', flags.parallel ?? process.env.BENCH_PARALLEL, 64)
const connects = positiveInt('--connects / BENCH_CONNECTS', flags.connects ?? process.env.BENCH_CONNECTS, 300)
const only = flags.only
if (only !== undefined && only !== 'broadcast' && only !== 'connect')
  throw new Error(`--only is broadcast or connect, got "${only}"`)
const progress = (line: string) => process.stderr.write(`${line}\n`)

// Issue 17's targets.
const TARGET_WALL_MS = 3000
const TARGET_WALL_MEMBERS = 10_000
const TARGET_CPU_US_PER_MEMBER = 150
const PAGE_BYTES = 1024 * 1024

// ---- counting registry requests ------------------------------------------------------------------------------------

// Every POST /{stage}/@registry is one call of one MemoryConnectionStore method in this process (answerRegistryRequest).
const registryCalls = new Map<string, number>()
for (const op of ['register', 'get', 'setAttributes', 'copyAttributes', 'join', 'leave', 'page', 'remove'] as const) {
  const original = MemoryConnectionStore.prototype[op] as (...args: unknown[]) => Promise<unknown>
  ;(MemoryConnectionStore.prototype as unknown as Record<string, unknown>)[op] = function (
    this: MemoryConnectionStore,
    ...args: unknown[]
  ) {
    registryCalls.set(op, (registryCalls.get(op) ?? 0) + 1)
    return original.apply(this, args)
  }
}
const snapshot = () => new Map(registryCalls)
function callsSince(before: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [op, n] of registryCalls) if (n - (before.get(op) ?? 0) > 0) out[op] = n - (before.get(op) ?? 0)
  return out
}

// ---- helpers -------------------------------------------------------------------------------------------------------

const clock = () => performance.timeOrigin + performance.now()
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!
}

/** A client of this process that collects the app's frames to it. */
interface Driver {
  ws: WebSocket
  next(type: string): Promise<Record<string, unknown>>
  close(): void
}

function openDriver(url: string): Promise<Driver> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false })
    const queued: Record<string, unknown>[] = []
    const waiters: Array<{ type: string; resolve: (frame: Record<string, unknown>) => void }> = []
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>
      if (frame.b !== undefined) return // a broadcast to every connection reaches the driver too
      const at = waiters.findIndex((w) => w.type === frame.type)
      if (at >= 0) waiters.splice(at, 1)[0]!.resolve(frame)
      else queued.push(frame)
    })
    ws.once('open', () =>
      resolve({
        ws,
        next: (type) => {
          const at = queued.findIndex((f) => f.type === type)
          if (at >= 0) return Promise.resolve(queued.splice(at, 1)[0]!)
          return new Promise((r) => waiters.push({ type, resolve: r }))
        },
        close: () => ws.close(),
      }),
    )
    ws.once('error', reject)
  })
}

/** The member clients' child process. */
interface Members {
  child: ChildProcess
  request<T>(message: Record<string, unknown>, answer: string): Promise<T>
}

async function startMembers(): Promise<Members> {
  const child = fork(path.join(fixture, 'clients.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const listeners: Array<(m: Record<string, unknown>) => boolean> = []
  child.on('message', (m: Record<string, unknown>) => {
    if (m.cmd === 'error') throw new Error(`member clients: ${m.message}`)
    const at = listeners.findIndex((l) => l(m))
    if (at >= 0) listeners.splice(at, 1)
  })
  const wait = <T>(match: (m: Record<string, unknown>) => boolean) =>
    new Promise<T>((resolve) =>
      listeners.push((m) => {
        if (!match(m)) return false
        resolve(m as T)
        return true
      }),
    )
  await wait((m) => m.cmd === 'ready')
  return {
    child,
    request: (message, answer) => {
      const answered = wait<never>((m) => m.cmd === answer && (m.seq === undefined || m.seq === message.seq))
      child.send(message)
      return answered
    },
  }
}

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms).unref()),
  ])

// ---- 1. broadcast to a room ----------------------------------------------------------------------------------------

type Api = 'registry' | 'ids' | 'all'
const API_LABEL: Record<Api, string> = {
  registry: `socket.to(room).send (registry, ${FAN_OUT_CONCURRENCY} at a time)`,
  ids: 'baseline: socket.broadcast(data, ids) (32 at a time)',
  all: `socket.broadcast(data) (every connection, ${FAN_OUT_CONCURRENCY} at a time)`,
}

interface Sample {
  /** From the trigger frame leaving the driver to the last member receiving the broadcast. */
  wallMs: number
  /** From the trigger frame to the first member receiving it. */
  firstMs: number
  handlerMs: number
  cpuUs: number
  registry: Record<string, number>
}
interface BroadcastRow {
  api: Api
  label: string
  members: number
  /** Bytes of the scope's items as DynamoDB counts them (itemSize), for the pages-per-MB target. */
  scopeBytes: number
  samples: Sample[]
  wallMs: number
  firstMs: number
  handlerMs: number
  cpuUsPerMember: number
  pages: number
  registryRequests: Record<string, number>
}

const ROOM = 'bench'
const pad = 'x'.repeat(64)
let seq = 0

async function oneBroadcast(driver: Driver, members: Members, api: Api, size: number): Promise<Sample> {
  const s = ++seq
  const data = { room: ROOM, seq: s, pad, members: size }
  const route = api === 'registry' ? 'room' : api === 'ids' ? 'ids' : 'all'
  const before = snapshot()
  const received = members.request<{ n: number; first: number; last: number }>(
    { cmd: 'expect', seq: s, count: size },
    'received',
  )
  const stats = driver.next('stats')
  const t0 = clock()
  driver.ws.send(JSON.stringify({ route, data }))
  const [got, st] = await withTimeout(Promise.all([received, stats]), 120_000, `broadcast ${s} (${api}, ${size})`)
  // The stats frame is sent after the broadcast returned: every registry request of the broadcast is counted.
  const registry = callsSince(before)
  if (st.gone !== 0) throw new Error(`broadcast ${s}: ${st.gone} gone ids, expected none`)
  return {
    wallMs: got.last - t0,
    firstMs: got.first - t0,
    handlerMs: st.handlerMs as number,
    cpuUs: st.cpuUs as number,
    registry,
  }
}

function scopeBytes(dev: DevServer, api: Api): number {
  const partition = dev.registry.partition(api === 'all' ? 'all' : `room#${ROOM}`)
  let bytes = 0
  for (const [id, item] of partition?.items ?? [])
    bytes += itemSize({ id, attributes: item.attributes, rooms: [...(item.rooms ?? [])] })
  return bytes
}

async function broadcastBench(): Promise<{ rows: BroadcastRow[]; connectSeconds: number[] }> {
  const dev = await startDev({
    configFile: path.join(fixture, 'serverless.yml'),
    host: '127.0.0.1',
    port: 0,
    watch: false,
    log: () => {},
    output: (_stream, text) => process.stderr.write(text),
    maxEnvironments: environments,
    // No $disconnect at the end: 10,000 of them would only slow the teardown down.
    dropDisconnect: true,
    limits: { postDelayMs: delayMs, connectionsPerSecond: 1_000_000, idleTimeoutMs: 60 * 60 * 1000 },
  })
  const members = await startMembers()
  const rows: BroadcastRow[] = []
  const connectSeconds: number[] = []
  let driver: Driver | undefined
  try {
    driver = await openDriver(dev.url)
    let connected = 0
    for (const size of sizes) {
      progress(`connecting ${size - connected} members (${parallel} handshakes at a time)...`)
      const c = await members.request<{ open: number; retries: number; ms: number }>(
        { cmd: 'connect', url: `${dev.url}?room=${ROOM}`, count: size - connected, parallel },
        'connected',
      )
      connected = c.open
      connectSeconds.push(c.ms / 1000)
      progress(`  ${c.open} members in ${(c.ms / 1000).toFixed(1)} s (${c.retries} handshakes retried)`)
      // Drop the $connect CPU samples of this phase (they are measured apart, below).
      driver.ws.send(JSON.stringify({ route: 'cpu' }))
      await driver.next('cpu')
      const apis: Api[] = size === sizes[sizes.length - 1] ? ['ids', 'registry', 'all'] : ['ids', 'registry']
      // Warm-up: one broadcast each (JIT, kept-alive sockets, the baseline's ids read once).
      for (const api of apis) {
        progress(`  warm-up: ${api}, ${size}`)
        await oneBroadcast(driver, members, api, size)
      }
      const samples = new Map<Api, Sample[]>(apis.map((a) => [a, []]))
      for (let r = 0; r < runs; r++) {
        for (const api of apis) {
          const sample = await oneBroadcast(driver, members, api, size)
          samples.get(api)!.push(sample)
          progress(
            `  run ${r + 1}/${runs} ${api} ${size}: wall ${sample.wallMs.toFixed(0)} ms, handler ${sample.handlerMs.toFixed(0)} ms, CPU ${(sample.cpuUs / size).toFixed(0)} µs/member, registry ${JSON.stringify(sample.registry)}`,
          )
        }
      }
      for (const api of apis) {
        const list = samples.get(api)!
        const ops = new Set(list.flatMap((s) => Object.keys(s.registry)))
        const registryRequests: Record<string, number> = {}
        for (const op of ops) registryRequests[op] = median(list.map((s) => s.registry[op] ?? 0))
        rows.push({
          api,
          label: API_LABEL[api],
          members: size,
          scopeBytes: scopeBytes(dev, api),
          samples: list,
          wallMs: median(list.map((s) => s.wallMs)),
          firstMs: median(list.map((s) => s.firstMs)),
          handlerMs: median(list.map((s) => s.handlerMs)),
          cpuUsPerMember: median(list.map((s) => s.cpuUs / size)),
          pages: registryRequests.page ?? 0,
          registryRequests,
        })
      }
    }
  } finally {
    driver?.close()
    members.child.kill()
    await dev.close()
  }
  return { rows, connectSeconds }
}

// ---- 2. what registering adds to $connect --------------------------------------------------------------------------

interface ConnectRow {
  app: string
  connects: number
  p50Ms: number
  p95Ms: number
  meanMs: number
  workerCpuUs: number
  registry: Record<string, number>
}

async function connectBench(): Promise<ConnectRow[]> {
  const apps = [
    { app: 'without registry (plain.yml)', config: 'plain.yml', query: '' },
    { app: 'connections: registry', config: 'serverless.yml', query: '' },
    { app: 'connections: registry, join(room) in on("connect")', config: 'serverless.yml', query: `?room=${ROOM}` },
  ]
  const servers = await Promise.all(
    apps.map((a) =>
      startDev({
        configFile: path.join(fixture, a.config),
        host: '127.0.0.1',
        port: 0,
        watch: false,
        log: () => {},
        output: (_stream, text) => process.stderr.write(text),
        maxEnvironments: 1,
        dropDisconnect: true,
        limits: { connectionsPerSecond: 1_000_000 },
      }),
    ),
  )
  const open: WebSocket[] = []
  const times = apps.map(() => [] as number[])
  const calls = apps.map(() => ({}) as Record<string, number>)
  const handshake = (url: string) =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now()
      const ws = new WebSocket(url, { perMessageDeflate: false })
      ws.once('open', () => {
        open.push(ws)
        resolve(performance.now() - t0)
      })
      ws.once('error', reject)
    })
  try {
    const warm = 50
    // Interleaved: handshake i goes to app i % 3, one at a time, so drift hits every app alike.
    for (let i = 0; i < (warm + connects) * apps.length; i++) {
      const a = i % apps.length
      const before = snapshot()
      const ms = await handshake(`${servers[a]!.url}${apps[a]!.query}`)
      if (i >= warm * apps.length) {
        times[a]!.push(ms)
        for (const [op, n] of Object.entries(callsSince(before))) calls[a]![op] = (calls[a]![op] ?? 0) + n
      }
      if (i === warm * apps.length - 1) {
        // Start the worker-side samples after the warm-up.
        for (const server of servers) {
          const d = await openDriver(server.url)
          d.ws.send(JSON.stringify({ route: 'cpu' }))
          await d.next('cpu')
          d.close()
        }
      }
      if ((i + 1) % 150 === 0) progress(`  $connect: ${i + 1}/${(warm + connects) * apps.length}`)
    }
    const cpu: number[][] = []
    for (const server of servers) {
      const d = await openDriver(server.url)
      d.ws.send(JSON.stringify({ route: 'cpu' }))
      cpu.push((await d.next('cpu')).samples as number[])
      d.close()
    }
    return apps.map((a, i) => {
      const registry: Record<string, number> = {}
      for (const [op, n] of Object.entries(calls[i]!)) registry[op] = n / connects
      return {
        app: a.app,
        connects,
        p50Ms: percentile(times[i]!, 50),
        p95Ms: percentile(times[i]!, 95),
        meanMs: times[i]!.reduce((x, y) => x + y, 0) / connects,
        // The first sample spans the 'cpu' request before it; the rest are one $connect each.
        workerCpuUs: median(cpu[i]!.slice(1)),
        registry,
      }
    })
  } finally {
    for (const ws of open) ws.terminate()
    await Promise.all(servers.map((s) => s.close()))
  }
}

// ---- run and report ------------------------------------------------------------------------------------------------

const started = performance.now()
let broadcast: Awaited<ReturnType<typeof broadcastBench>> | undefined
let connect: ConnectRow[] | undefined
if (only !== 'connect') {
  progress(`broadcast: rooms of ${sizes.join(', ')}, ${delayMs} ms per @connections POST, ${runs} runs`)
  broadcast = await broadcastBench()
}
if (only !== 'broadcast') {
  progress(`$connect: ${connects} sequential handshakes per app`)
  connect = await connectBench()
}

interface TargetCheck {
  target: string
  measured: string
  met: boolean
}
const targets: TargetCheck[] = []
if (broadcast) {
  const reg = broadcast.rows.filter((r) => r.api === 'registry')
  const big = reg.find((r) => r.members === TARGET_WALL_MEMBERS)
  if (big)
    targets.push({
      target: `${TARGET_WALL_MEMBERS.toLocaleString('en-US')} members in ≤ ${TARGET_WALL_MS / 1000} s at ${delayMs} ms per post`,
      measured: `${(big.wallMs / 1000).toFixed(2)} s (handler ${(big.handlerMs / 1000).toFixed(2)} s)`,
      met: big.wallMs <= TARGET_WALL_MS && delayMs >= 20,
    })
  for (const r of reg)
    targets.push({
      target: `≤ ${TARGET_CPU_US_PER_MEMBER} µs CPU per member (function side), ${r.members.toLocaleString('en-US')} members`,
      measured: `${r.cpuUsPerMember.toFixed(0)} µs`,
      met: r.cpuUsPerMember <= TARGET_CPU_US_PER_MEMBER,
    })
  for (const r of broadcast.rows.filter((x) => x.api !== 'ids')) {
    const allowed = Math.max(1, Math.ceil(r.scopeBytes / PAGE_BYTES))
    targets.push({
      target: `≤ 1 paged Query per 1 MB of members (${r.api === 'all' ? 'every connection' : 'room'}, ${r.members.toLocaleString('en-US')}: ${(r.scopeBytes / PAGE_BYTES).toFixed(2)} MB, ≤ ${allowed})`,
      measured: `${r.pages} page request${r.pages === 1 ? '' : 's'}`,
      met: r.pages <= allowed,
    })
  }
}

if (flags.json) {
  process.stdout.write(
    `${JSON.stringify(
      {
        node: process.version,
        sizes,
        runs,
        delayMs,
        environments,
        parallel,
        connects,
        seconds: (performance.now() - started) / 1000,
        broadcast,
        connect,
        targets,
      },
      null,
      2,
    )}\n`,
  )
} else {
  const table = (header: string[], lines: string[][]) => {
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
    const fmt = (cells: string[]) =>
      `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`
    console.log(fmt(header))
    console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`)
    for (const l of lines) console.log(fmt(l))
  }
  const ops = (r: Record<string, number>) =>
    Object.entries(r)
      .map(([op, n]) => `${op} ${Number.isInteger(n) ? n : n.toFixed(2)}`)
      .join(', ') || '0'
  if (broadcast) {
    console.log(
      `node ${process.version}, ${delayMs} ms per @connections POST, ${environments} execution environment(s), median of ${runs} broadcasts per row (after one unmeasured)`,
    )
    const base = (size: number) => broadcast!.rows.find((r) => r.api === 'ids' && r.members === size)
    table(
      [
        'broadcast',
        'members',
        'wall ms (last member)',
        'first member ms',
        'handler ms',
        'vs baseline',
        'CPU µs/member',
        'registry requests',
      ],
      broadcast.rows.map((r) => {
        const b = base(r.members)
        return [
          r.label,
          r.members.toLocaleString('en-US'),
          r.wallMs.toFixed(0),
          r.firstMs.toFixed(0),
          r.handlerMs.toFixed(0),
          r.api === 'ids' || !b ? '' : `${(b.wallMs / r.wallMs).toFixed(2)}x faster`,
          r.cpuUsPerMember.toFixed(0),
          ops(r.registryRequests),
        ]
      }),
    )
    console.log(`  members connected in ${broadcast.connectSeconds.map((s) => `${s.toFixed(1)} s`).join(' + ')}`)
    for (const r of broadcast.rows)
      console.log(
        `  ${r.api} ${r.members}: wall ms per run ${r.samples.map((s) => s.wallMs.toFixed(0)).join(', ')}; CPU µs/member ${r.samples.map((s) => (s.cpuUs / r.members).toFixed(0)).join(', ')}`,
      )
    console.log()
  }
  if (connect) {
    console.log(
      `$connect handshake (new WebSocket to open), ${connects} sequential per app, interleaved, 1 execution environment each`,
    )
    table(
      ['app', 'p50 ms', 'p95 ms', 'mean ms', 'worker CPU µs/connect', 'registry requests/connect'],
      connect.map((r) => [
        r.app,
        r.p50Ms.toFixed(2),
        r.p95Ms.toFixed(2),
        r.meanMs.toFixed(2),
        r.workerCpuUs.toFixed(0),
        ops(r.registry),
      ]),
    )
    console.log()
  }
  if (targets.length) {
    console.log('targets (issue 17)')
    table(
      ['target', 'measured', 'met'],
      targets.map((t) => [t.target, t.measured, t.met ? 'yes' : 'NO']),
    )
  }
  console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s)`)
}
