// AWS calls and sequential round trips of a deploy, counted from the AWS shim's call log: fresh deploy, unchanged
// redeploy, code-only change and remove of a scratch copy of examples/echo, on moto behind the shim (started here).
//
//   npm run bench:deploy                            # 3 runs per latency, table on stdout
//   npm run bench:deploy -- --json                  # JSON on stdout
//   npm run bench:deploy -- --runs 5 --latency 100
//   npm run bench:deploy -- --baseline 28fbc8a      # also the engine of that commit, in the same runs
//
// Flags (env var in brackets): --runs N [BENCH_RUNS] deploy sequences per latency (default 3), --latency MS
// [BENCH_LATENCY] latency the shim adds to every call in the second set of runs (default 50), --json, --baseline REF
// (a git commit: its src/ is checked out into a temporary worktree and its deployStage/removeStageOf run the same
// scenarios, on the same bed, right after this tree's in each run; a second table shows them).
//
// Each run: reset moto and the shim, set the latency, then on a fresh scratch project: deploy (fresh), deploy again
// (unchanged), edit socket.js and deploy (code-only change), remove; then the same project with `connections: registry`
// as a stage of its own: deploy (fresh) and deploy again (unchanged). The waits are FAST (aws-bed): the shim answers
// "Pending"/"InProgress" to one read only, so the waits' polling interval is not what is measured.
//
// Sequential round trips = the length of the longest chain of calls in which each call starts after the previous
// one ended (the longest path in the interval order of the calls). "Excluding waits" drops, before computing it:
//   - polls of a wait: GetFunction/GetFunctionConfiguration calls that start after a successful CreateFunction,
//     UpdateFunctionCode or UpdateFunctionConfiguration of the same scenario ended;
//   - role-propagation retries: CreateFunction calls that failed with status 400 (the shim refuses the first call
//     naming a role created moments ago, as AWS does until the role has propagated);
//   - DeleteRole calls answered 409 DeleteConflict right after DeleteRolePolicy (IAM catching up; remove retries).
// Round trips come from the runs with latency: there every call lasts at least that long, so calls sent together
// always overlap. At 0 ms a call can end before its sibling's request has even been read, which makes chains look
// longer than they are; those figures are kept in --json (`roundTrips0ms`) only.
//
// The targets (from the issue) are printed for information; the process exits non-zero only on errors.
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, symlink } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { deployStage, removeStageOf } from '../../src/pipeline.ts'
import { FAST, scratchProject, startAwsBed, type AwsBed, type Project } from '../helpers/aws-bed.ts'
import type { ShimCall } from '../helpers/aws-shim.ts'
import { issueCertificate } from '../helpers/acm-certificates.ts'
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53'
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm'

type ScenarioName =
  | 'fresh deploy'
  | 'unchanged redeploy'
  | 'code-only change'
  | 'code change, smoke-tested'
  | 'fresh deploy, smoke-tested'
  | 'remove'
  | 'fresh deploy, connections: registry'
  | 'unchanged redeploy, connections: registry'
  | 'fresh deploy, domain'
  | 'unchanged redeploy, domain + secrets'
const SCENARIOS: ScenarioName[] = [
  'fresh deploy',
  'unchanged redeploy',
  'code-only change',
  'code change, smoke-tested',
  'fresh deploy, smoke-tested',
  'remove',
  'fresh deploy, connections: registry',
  'unchanged redeploy, connections: registry',
  'fresh deploy, domain',
  'unchanged redeploy, domain + secrets',
]

interface Target {
  text: string
  check: (figures: Figures) => boolean
}

interface Figures {
  calls: number
  writes: number
  reads: number
  roundTrips: number
  roundTripsExclWaits: number
}

// Issue 12 added two writes to the critical path of a change (PublishVersion, then the alias move) and allows no more:
// the targets of issue 8 (6 and 3 round trips excluding waits) plus those two.
const TARGETS: Partial<Record<ScenarioName, Target>> = {
  'fresh deploy': { text: '<= 8 round trips excl. waits', check: (f) => f.roundTripsExclWaits <= 8 },
  'unchanged redeploy': { text: '0 writes, <= 2 round trips', check: (f) => f.writes === 0 && f.roundTrips <= 2 },
  'code-only change': { text: '<= 5 round trips excl. waits', check: (f) => f.roundTripsExclWaits <= 5 },
  // What the CLI and the Action run. Issue 19: with versions, waits and the smoke test all on the critical path.
  'code change, smoke-tested': { text: '<= 6 round trips', check: (f) => f.roundTrips <= 6 },
  'fresh deploy, smoke-tested': { text: '<= 7 round trips', check: (f) => f.roundTrips <= 7 },
  // Issue 17: the registry's table must not lengthen the critical path of a deploy, fresh or unchanged.
  'fresh deploy, connections: registry': {
    text: '<= 8 round trips excl. waits',
    check: (f) => f.roundTripsExclWaits <= 8,
  },
  'unchanged redeploy, connections: registry': {
    text: '0 writes, <= 2 round trips',
    check: (f) => f.writes === 0 && f.roundTrips <= 2,
  },
  // Issue 18: what a custom domain adds to a fresh deploy is reported (below the table); unchanged stays unchanged.
  'unchanged redeploy, domain + secrets': {
    text: '0 writes, <= 2 round trips',
    check: (f) => f.writes === 0 && f.roundTrips <= 2,
  },
}

const RULE =
  'Round trips = longest chain of calls, each starting after the previous one ended. "excl. waits" first drops ' +
  'GetFunction/GetFunctionConfiguration calls that start after a successful CreateFunction/UpdateFunctionCode/' +
  'UpdateFunctionConfiguration ended (polls of a wait), and CreateFunction calls answered 400 (retries while a new ' +
  'role propagates), and DeleteRole calls answered 409 (IAM catching up after DeleteRolePolicy), and the smoke ' +
  "test's Invoke calls (timed on their own below the table), and DescribeTable calls that start after a successful " +
  'CreateTable ended (polls of the wait for ACTIVE), and GetDomainName calls that start after a successful ' +
  'CreateApiMapping ended and GetChange calls (polls of the waits for the domain name AVAILABLE and the record INSYNC).'

// ---- options ---------------------------------------------------------------------------------------------------

const { values: flags } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    runs: { type: 'string' },
    latency: { type: 'string' },
    baseline: { type: 'string' },
  },
  strict: true,
})

function positiveNumber(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`)
  return n
}

const runs = Math.round(positiveNumber('--runs / BENCH_RUNS', flags.runs ?? process.env.BENCH_RUNS, 3))
const latencyMs = positiveNumber('--latency / BENCH_LATENCY', flags.latency ?? process.env.BENCH_LATENCY, 50)
const progress = (line: string) => process.stderr.write(`${line}\n`)

// ---- analysis --------------------------------------------------------------------------------------------------

const WAITED_WRITES = new Set(['CreateFunction', 'UpdateFunctionCode', 'UpdateFunctionConfiguration'])
const POLLS = new Set(['GetFunction', 'GetFunctionConfiguration'])
const ok = (call: ShimCall) => call.status >= 200 && call.status < 300

/** Why a call is left out of "excluding waits", or undefined if it counts. */
function waitReason(call: ShimCall, all: ShimCall[]): Wait | undefined {
  if (call.service === 'lambda' && call.operation === 'Invoke') return 'smoke test'
  // A function write refused while the function is Pending or updating, then retried.
  if (call.service === 'lambda' && call.kind === 'write' && call.status === 409) return 'busy retry'
  if (call.service === 'lambda' && call.operation === 'CreateFunction' && call.status === 400) return 'role retry'
  if (call.service === 'iam' && call.operation === 'DeleteRole' && call.status === 409) return 'delete-conflict retry'
  if (
    call.service === 'dynamodb' &&
    call.operation === 'DescribeTable' &&
    all.some((w) => w.operation === 'CreateTable' && ok(w) && w.end <= call.start)
  )
    return 'poll'
  if (call.operation === 'GetChange') return 'poll'
  if (
    call.operation === 'GetDomainName' &&
    all.some((w) => w.operation === 'CreateApiMapping' && ok(w) && w.end <= call.start)
  )
    return 'poll'
  if (call.service === 'lambda' && POLLS.has(call.operation)) {
    const after = all.some(
      (w) => w.service === 'lambda' && WAITED_WRITES.has(w.operation) && ok(w) && w.end <= call.start,
    )
    if (after) return 'poll'
  }
  return undefined
}

/**
 * The longest chain of calls in which each starts after the previous one ended (longest path in the interval order,
 * O(n^2)), and for each position of the chain every call that could take that position: same depth (length of the
 * longest chain ending in it) and ended before the next link started.
 */
function longestChain(calls: ShimCall[]): Array<{ call: ShimCall; peers: ShimCall[] }> {
  const sorted = [...calls].sort((a, b) => a.start - b.start || a.end - b.end)
  const depth: number[] = []
  const previous: number[] = []
  for (let i = 0; i < sorted.length; i++) {
    depth[i] = 1
    previous[i] = -1
    for (let j = 0; j < i; j++) {
      if (sorted[j]!.end > sorted[i]!.start) continue
      const candidate = depth[j]! + 1
      // Among equally long chains prefer the predecessor that ended last: the call this one most likely waited for.
      if (
        candidate > depth[i]! ||
        (candidate === depth[i]! && previous[i]! >= 0 && sorted[j]!.end > sorted[previous[i]!]!.end)
      ) {
        depth[i] = candidate
        previous[i] = j
      }
    }
  }
  let best = -1
  for (let i = 0; i < sorted.length; i++) {
    if (best < 0 || depth[i]! > depth[best]! || (depth[i] === depth[best] && sorted[i]!.end > sorted[best]!.end))
      best = i
  }
  const links: number[] = []
  for (let i = best; i >= 0; i = previous[i]!) links.unshift(i)
  return links.map((i, k) => {
    const next = links[k + 1]
    const peers = sorted.filter(
      (c, x) => x !== i && depth[x] === depth[i] && (next === undefined || c.end <= sorted[next]!.start),
    )
    return { call: sorted[i]!, peers }
  })
}

interface ChainStep {
  operation: string
  status: number
  /** ms from the scenario's first call. */
  startMs: number
  endMs: number
  /** Set on calls that "excluding waits" leaves out. */
  wait?: Wait
  /** Other calls that could take this position of the chain (e.g. the other reads of an observe round). */
  peers: string[]
}

interface LoggedCall {
  service: string
  operation: string
  kind: 'read' | 'write'
  status: number
  startMs: number
  endMs: number
  wait?: Wait
}

type Wait = 'poll' | 'role retry' | 'delete-conflict retry' | 'busy retry' | 'smoke test'

interface Measurement extends Figures {
  /** Which engine: this tree, or the baseline commit (--baseline). */
  engine: string
  scenario: ScenarioName
  latencyMs: number
  run: number
  wallMs: number
  chain: ChainStep[]
  chainExclWaits: ChainStep[]
  /** Every call of the scenario, by start time. */
  log: LoggedCall[]
}

/** A call's name in chains: `CreateFunction (400)` when it failed. */
const label = (c: ShimCall) => `${c.operation}${c.status >= 200 && c.status < 300 ? '' : ` (${c.status})`}`

function analyse(
  engine: string,
  scenario: ScenarioName,
  latency: number,
  run: number,
  calls: ShimCall[],
  wallMs: number,
): Measurement {
  const t0 = Math.min(...calls.map((c) => c.start))
  const round = (x: number) => Math.round(x * 10) / 10
  const logged = (c: ShimCall): LoggedCall => {
    const wait = waitReason(c, calls)
    return {
      service: c.service,
      operation: c.operation,
      kind: c.kind,
      status: c.status,
      startMs: round(c.start - t0),
      endMs: round(c.end - t0),
      ...(wait ? { wait } : {}),
    }
  }
  const step = ({ call, peers }: { call: ShimCall; peers: ShimCall[] }): ChainStep => {
    const { service: _service, kind: _kind, ...rest } = logged(call)
    return { ...rest, peers: peers.map(label) }
  }
  const counted = calls.filter((c) => !waitReason(c, calls))
  const chain = longestChain(calls)
  const chainExclWaits = longestChain(counted)
  return {
    engine,
    scenario,
    latencyMs: latency,
    run,
    wallMs: round(wallMs),
    calls: calls.length,
    writes: calls.filter((c) => c.kind === 'write').length,
    reads: calls.filter((c) => c.kind === 'read').length,
    roundTrips: chain.length,
    roundTripsExclWaits: chainExclWaits.length,
    chain: chain.map(step),
    chainExclWaits: chainExclWaits.map(step),
    log: [...calls].sort((a, b) => a.start - b.start).map(logged),
  }
}

// ---- runs ------------------------------------------------------------------------------------------------------

/** Rejects if `promise` has not settled after `ms`: a stuck deploy must not hang the benchmark. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

const STAGE = 'bench'
/** How long each smoke test took (its Invoke calls: $connect, $disconnect), across runs. */
const smokeMs: number[] = []

/** The deploy entry points of one engine: this tree's, or a baseline commit's. */
interface Engine {
  label: string
  deployStage: typeof deployStage
  removeStageOf: typeof removeStageOf
}

async function sequence(bed: AwsBed, latency: number, run: number, engine: Engine): Promise<Measurement[]> {
  const { deployStage, removeStageOf } = engine
  await bed.reset()
  bed.shim.latency(latency)
  const project: Project = await scratchProject()
  const options = { configFile: project.config, stage: STAGE, ...FAST }
  const out: Measurement[] = []
  const measure = async (scenario: ScenarioName, step: () => Promise<unknown>) => {
    bed.shim.clearCalls()
    const t0 = performance.now()
    await within(step(), 120_000, `${scenario} (latency ${latency} ms, run ${run})`)
    const wallMs = performance.now() - t0
    const calls = bed.shim.calls()
    if (calls.length === 0)
      throw new Error(`${scenario}: the shim logged no calls (is AWS_ENDPOINT_URL pointing at it?)`)
    out.push(analyse(engine.label, scenario, latency, run, calls, wallMs))
  }
  try {
    await measure('fresh deploy', async () => {
      const result = await deployStage(options)
      if (!result.changed) throw new Error('fresh deploy: reported no change')
    })
    await measure('unchanged redeploy', () => deployStage(options))
    await project.edit('socket.js', (s) => {
      const changed = s.replace('console.log(`connected ${id}', 'console.log(`connected (changed) ${id}')
      if (changed === s)
        throw new Error('code-only change: examples/echo/socket.js no longer has the line this benchmark edits')
      return changed
    })
    await measure('code-only change', async () => {
      const result = await deployStage(options)
      if (!result.actions.some((a) => a.id === 'function:code'))
        throw new Error('code-only change: no function:code action ran')
    })
    await project.edit('socket.js', (s) => s.replace('connected (changed)', 'connected (changed again)'))
    await measure('code change, smoke-tested', async () => {
      const result = await deployStage({
        ...options,
        smoke: true,
        events: { onAction: (a, ms) => a.write === 'SmokeTest' && smokeMs.push(Math.round(ms)) },
      })
      if (!result.actions.some((a) => a.write === 'SmokeTest')) throw new Error('smoke-tested: no smoke test ran')
    })
    // A stage's first deploy as the CLI and the Action make it (a stage of its own; its remove is not measured).
    const smoked = { ...options, stage: `${STAGE}-smoke`, smoke: true }
    await measure('fresh deploy, smoke-tested', async () => {
      const result = await deployStage(smoked)
      if (!result.actions.some((a) => a.write === 'SmokeTest'))
        throw new Error('fresh, smoke-tested: no smoke test ran')
    })
    await within(removeStageOf(smoked), 120_000, `remove of ${smoked.stage}`)
    await measure('remove', async () => {
      const result = await removeStageOf(options)
      if (!result.found) throw new Error('remove: found nothing to remove')
    })
    // The same project with the connection registry, as a stage of its own (its remove is not measured).
    await project.edit('serverless.yml', (s) => s.replace(/^ {2}inputs:\n/m, '  inputs:\n    connections: registry\n'))
    const registry = { ...options, stage: `${STAGE}-registry` }
    await measure('fresh deploy, connections: registry', async () => {
      const result = await deployStage(registry)
      if (!result.actions.some((a) => a.write === 'CreateTable'))
        throw new Error('fresh deploy, connections: registry: no table was created')
    })
    await measure('unchanged redeploy, connections: registry', () => deployStage(registry))
    await within(removeStageOf(registry), 120_000, `remove of ${registry.stage}`)
    // The same project with a custom domain and its alias record, as a stage of its own: a zone and a certificate
    // first (setup, not measured; the shim answers the certificate ISSUED).
    await project.edit('serverless.yml', (s) =>
      s.replace(
        /^ {2}inputs:\n/m,
        `  inputs:\n    domain:\n      name: "{stage}.ws.example.com"\n      hostedZone: example.com\n`,
      ),
    )
    await domainSetup(bed)
    const domain = { ...options, stage: `${STAGE}-domain` }
    await measure('fresh deploy, domain', async () => {
      const result = await deployStage(domain)
      if (result.url !== `wss://${domain.stage}.ws.example.com`)
        throw new Error(`fresh deploy, domain: url ${result.url}`)
    })
    // Then secrets too (one SSM parameter, one Secrets Manager secret; that deploy is a change, not measured).
    await project.edit('serverless.yml', (s) =>
      s.replace(
        /^ {2}inputs:\n/m,
        '  inputs:\n    secrets:\n      STRIPE_KEY: ssm:/my-socket/{stage}/stripe\n      DB_URL: secretsmanager:my-socket/{stage}/db\n',
      ),
    )
    await secretsSetup(domain.stage)
    await within(deployStage(domain), 120_000, `deploy of ${domain.stage} with secrets`)
    await measure('unchanged redeploy, domain + secrets', () => deployStage(domain))
    await within(removeStageOf(domain), 120_000, `remove of ${domain.stage}`)
  } finally {
    await project.remove()
  }
  return out
}

/** The hosted zone and the wildcard certificate a stage with a custom domain needs. */
async function domainSetup(bed: AwsBed): Promise<void> {
  const route53 = new Route53Client({})
  try {
    await route53.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `bench-${Date.now()}` }))
  } finally {
    route53.destroy()
  }
  await issueCertificate(bed.shim, '*.ws.example.com')
}

/** The parameter and the secret the secrets scenario names (their values are never read at deploy). */
async function secretsSetup(stage: string): Promise<void> {
  const ssm = new SSMClient({})
  const secrets = new SecretsManagerClient({})
  try {
    await ssm.send(
      new PutParameterCommand({ Name: `/my-socket/${stage}/stripe`, Type: 'SecureString', Value: 'sk_bench' }),
    )
    await secrets.send(new CreateSecretCommand({ Name: `my-socket/${stage}/db`, SecretString: 'postgres://bench' }))
  } finally {
    ssm.destroy()
    secrets.destroy()
  }
}

// ---- parallel stages under API Gateway's CreateDeployment quota ------------------------------------------------

const PARALLEL_STAGES = ['pr-1', 'pr-2', 'pr-3']
/** AWS's quota: 1 CreateDeployment every 5 s per account (the shim enforces it when told to). */
const DEPLOYMENT_INTERVAL_MS = 5000

interface ParallelFigures {
  /** Three fresh stages at once with no quota: the baseline, measured in the same run. */
  baselineWallMs: number
  /** The same under the quota. */
  quotaWallMs: number
  /** No schedule can do better than the baseline plus (stages - 1) quota intervals. */
  floorMs: number
  /** CreateDeployment answers 429 (the SDK's and the engine's retries). */
  throttled: number
}

async function parallelStages(bed: AwsBed, intervalMs: number): Promise<{ wallMs: number; throttled: number }> {
  await bed.reset()
  bed.shim.latency(0)
  bed.shim.configure({ deploymentIntervalMs: intervalMs })
  const project: Project = await scratchProject()
  try {
    // Production backoff (retryBaseMs 500), so the wait for the quota is what a user's deploy would do.
    const options = (stage: string) => ({ configFile: project.config, stage, ...FAST, retryBaseMs: 500 })
    const t0 = performance.now()
    await within(
      Promise.all(PARALLEL_STAGES.map((stage) => deployStage(options(stage)))),
      180_000,
      'three parallel stages',
    )
    const wallMs = performance.now() - t0
    const throttled = bed.shim.calls().filter((c) => c.operation === 'CreateDeployment' && c.status === 429).length
    return { wallMs, throttled }
  } finally {
    bed.shim.configure({ deploymentIntervalMs: 0 })
    await project.remove()
  }
}

async function parallelUnderQuota(bed: AwsBed): Promise<ParallelFigures> {
  const baseline = await parallelStages(bed, 0)
  const quota = await parallelStages(bed, DEPLOYMENT_INTERVAL_MS)
  return {
    baselineWallMs: Math.round(baseline.wallMs),
    quotaWallMs: Math.round(quota.wallMs),
    floorMs: Math.round(baseline.wallMs + (PARALLEL_STAGES.length - 1) * DEPLOYMENT_INTERVAL_MS),
    throttled: quota.throttled,
  }
}

// ---- report ----------------------------------------------------------------------------------------------------

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** "6", or "6–7" when the runs disagree. */
function span(xs: number[]): string {
  const lo = Math.min(...xs)
  const hi = Math.max(...xs)
  return lo === hi ? String(lo) : `${lo}–${hi}`
}

interface Row {
  scenario: ScenarioName
  /** Calls, writes, reads and round trips of the runs with latency (every run; usually all equal). */
  calls: number[]
  writes: number[]
  reads: number[]
  roundTrips: number[]
  roundTripsExclWaits: number[]
  /** The same chains measured without added latency (see the header comment). */
  roundTrips0ms: number[]
  roundTripsExclWaits0ms: number[]
  wallMs0: number[]
  wallMsLatency: number[]
  medianWallMs0: number
  medianWallMsLatency: number
  target?: string
  /** Judged on the worst run. */
  met?: boolean
  /** Chains of the first run with latency. */
  chain: ChainStep[]
  chainExclWaits: ChainStep[]
}

function rows(all: Measurement[], engine: string): Row[] {
  const measurements = all.filter((m) => m.engine === engine)
  return SCENARIOS.map((scenario) => {
    const slow = measurements.filter((m) => m.scenario === scenario && m.latencyMs === latencyMs)
    const fast = measurements.filter((m) => m.scenario === scenario && m.latencyMs === 0)
    const target = TARGETS[scenario]
    const worst: Figures = {
      calls: Math.max(...slow.map((m) => m.calls)),
      writes: Math.max(...slow.map((m) => m.writes)),
      reads: Math.max(...slow.map((m) => m.reads)),
      roundTrips: Math.max(...slow.map((m) => m.roundTrips)),
      roundTripsExclWaits: Math.max(...slow.map((m) => m.roundTripsExclWaits)),
    }
    return {
      scenario,
      calls: slow.map((m) => m.calls),
      writes: slow.map((m) => m.writes),
      reads: slow.map((m) => m.reads),
      roundTrips: slow.map((m) => m.roundTrips),
      roundTripsExclWaits: slow.map((m) => m.roundTripsExclWaits),
      roundTrips0ms: fast.map((m) => m.roundTrips),
      roundTripsExclWaits0ms: fast.map((m) => m.roundTripsExclWaits),
      wallMs0: fast.map((m) => m.wallMs),
      wallMsLatency: slow.map((m) => m.wallMs),
      medianWallMs0: Math.round(median(fast.map((m) => m.wallMs)) * 10) / 10,
      medianWallMsLatency: Math.round(median(slow.map((m) => m.wallMs)) * 10) / 10,
      ...(target ? { target: target.text, met: target.check(worst) } : {}),
      chain: slow[0]!.chain,
      chainExclWaits: slow[0]!.chainExclWaits,
    }
  })
}

function table(rs: Row[]): string {
  const header = [
    'scenario',
    'calls',
    'writes',
    'reads',
    'round trips',
    'excl. waits',
    'wall ms @0',
    `wall ms @${latencyMs}`,
    'target',
    'met',
  ]
  const cells = rs.map((r) => [
    r.scenario,
    span(r.calls),
    span(r.writes),
    span(r.reads),
    span(r.roundTrips),
    span(r.roundTripsExclWaits),
    r.medianWallMs0.toFixed(0),
    r.medianWallMsLatency.toFixed(0),
    r.target ?? '-',
    r.met === undefined ? '-' : r.met ? 'yes' : 'NO',
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)))
  const left = (i: number) => i === 0 || i >= 8
  const line = (row: string[]) =>
    `| ${row.map((c, i) => (left(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`
  const rule = `|${widths.map((w, i) => (left(i) ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`
  return [line(header), rule, ...cells.map(line)].join('\n')
}

/** `Name×n` for repeated names, in first-seen order. */
function counted(names: string[]): string[] {
  const n = new Map<string, number>()
  for (const name of names) n.set(name, (n.get(name) ?? 0) + 1)
  return [...n].map(([name, k]) => (k > 1 ? `${name}×${k}` : name))
}

/** One line per link: the call on the chain (and its wait tag), then the other calls that could take its place. */
function chainText(chain: ChainStep[], indent: string): string {
  return chain
    .map((s, k) => {
      const own = `${s.operation}${s.status >= 200 && s.status < 300 ? '' : ` (${s.status})`}${s.wait ? ` [${s.wait}]` : ''}`
      const others = counted(s.peers)
      return `${indent}${String(k + 1).padStart(2)}. ${own}${others.length ? `   (or: ${others.join(', ')})` : ''}`
    })
    .join('\n')
}

/** What a scenario adds to another measured in the same runs: calls, writes, round trips (worst runs). */
function addedText(rs: Row[], scenario: ScenarioName, base: ScenarioName): string {
  const of = (name: ScenarioName) => rs.find((r) => r.scenario === name)!
  const worst = (xs: number[]) => Math.max(...xs)
  const [domained, without] = [of(scenario), of(base)]
  const delta = (key: 'calls' | 'writes' | 'roundTrips' | 'roundTripsExclWaits') =>
    worst(domained[key]) - worst(without[key])
  return (
    `"${scenario}" against "${base}" of the same runs: +${delta('calls')} calls, +${delta('writes')} writes, ` +
    `+${delta('roundTrips')} round trips (+${delta('roundTripsExclWaits')} excl. waits), ` +
    `+${Math.round(domained.medianWallMsLatency - without.medianWallMsLatency)} ms median wall time at ${latencyMs} ms latency.`
  )
}

// ---- main ------------------------------------------------------------------------------------------------------

const THIS_TREE: Engine = { label: 'this tree', deployStage, removeStageOf }

/** The engine of a commit, from a temporary worktree of it (sharing this tree's node_modules). */
async function baselineEngine(ref: string): Promise<Engine & { dispose: () => Promise<void> }> {
  const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim()
  const commit = execFileSync('git', ['rev-parse', '--short', `${ref}^{commit}`], { encoding: 'utf8' }).trim()
  const dir = await mkdtemp(path.join(tmpdir(), `socket-action-baseline-${commit}-`))
  execFileSync('git', ['worktree', 'add', '--detach', '--quiet', dir, commit], { cwd: root })
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'))
  const pipeline = (await import(
    pathToFileURL(path.join(dir, 'src/pipeline.ts')).href
  )) as typeof import('../../src/pipeline.ts')
  return {
    label: `baseline ${commit}`,
    deployStage: pipeline.deployStage,
    removeStageOf: pipeline.removeStageOf,
    dispose: async () => {
      execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: root })
      await rm(dir, { recursive: true, force: true })
    },
  }
}

let bed: AwsBed | undefined
let baseline: Awaited<ReturnType<typeof baselineEngine>> | undefined
try {
  if (flags.baseline) {
    progress(`checking out the baseline engine (${flags.baseline})`)
    baseline = await baselineEngine(flags.baseline)
  }
  const engines = [THIS_TREE, ...(baseline ? [baseline] : [])]
  progress('starting moto and the AWS shim')
  bed = await startAwsBed()

  // moto answers the first calls to each service slowly (it loads the service on first use): one throwaway round.
  progress('warm-up: one deploy and remove')
  await bed.reset()
  const warm = await scratchProject()
  try {
    await within(deployStage({ configFile: warm.config, stage: 'warmup', ...FAST }), 120_000, 'warm-up deploy')
    await within(removeStageOf({ configFile: warm.config, stage: 'warmup', ...FAST }), 120_000, 'warm-up remove')
  } finally {
    await warm.remove()
  }

  const measurements: Measurement[] = []
  for (const latency of [0, latencyMs]) {
    for (let run = 1; run <= runs; run++) {
      for (const engine of engines) {
        progress(`${engine.label}, latency ${latency} ms, run ${run}/${runs}: ${SCENARIOS.join(', ')}`)
        measurements.push(...(await sequence(bed, latency, run, engine)))
      }
    }
  }

  progress(
    `three fresh stages at once, without and with the CreateDeployment quota (1 every ${DEPLOYMENT_INTERVAL_MS / 1000} s)`,
  )
  const parallel = await parallelUnderQuota(bed)

  const rs = rows(measurements, THIS_TREE.label)
  const baselineRows = baseline ? rows(measurements, baseline.label) : undefined
  if (flags.json) {
    const machine = {
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      cpus: availableParallelism(),
    }
    process.stdout.write(
      `${JSON.stringify({ machine, runs, latencyMs, waits: FAST, rule: RULE, results: rs, baseline: baseline && { label: baseline.label, results: baselineRows }, parallel, measurements, smokeMs }, null, 2)}\n`,
    )
  } else {
    const out: string[] = [
      `Deploy round trips (examples/echo on moto behind the AWS shim; ${runs} run(s) per latency; figures from the ${latencyMs} ms runs, wall times are medians)`,
      '',
      table(rs),
      ...(baseline && baselineRows
        ? [
            '',
            `The same runs, with the engine of ${baseline.label.replace('baseline ', '')} (--baseline):`,
            '',
            table(baselineRows),
          ]
        : []),
      '',
      RULE,
      `Smoke test (Invoke $connect, then $disconnect, of the new version in the shim's Lambda stand-in): ${smokeMs.join(', ')} ms; median ${median(smokeMs)} ms.`,
      'Targets are informational: this benchmark fails only on errors.',
      '',
      `Longest chains (first ${latencyMs} ms run):`,
    ]
    for (const r of [...rs, ...(baselineRows ?? []).map((b) => ({ ...b, scenario: `${b.scenario} (baseline)` }))]) {
      out.push(`  ${r.scenario}, all calls (${r.chain.length}):`, chainText(r.chain, '    '))
      out.push(`  ${r.scenario}, excluding waits (${r.chainExclWaits.length}):`, chainText(r.chainExclWaits, '    '))
    }
    out.push(
      '',
      `Three fresh stages at once in one account (${PARALLEL_STAGES.join(', ')}), 0 ms latency, production retry backoff:`,
      `  without a quota (baseline):                         ${parallel.baselineWallMs} ms`,
      `  under CreateDeployment's 1 every ${DEPLOYMENT_INTERVAL_MS / 1000} s:                  ${parallel.quotaWallMs} ms (${parallel.throttled} CreateDeployment calls answered 429)`,
      `  floor (baseline + ${PARALLEL_STAGES.length - 1} x ${DEPLOYMENT_INTERVAL_MS / 1000} s, no schedule does better):    ${parallel.floorMs} ms; overhead ${parallel.quotaWallMs - parallel.floorMs} ms`,
    )
    out.push('', addedText(rs, 'fresh deploy, domain', 'fresh deploy'))
    const differing = rs.filter(
      (r) =>
        span(r.roundTrips0ms) !== span(r.roundTrips) || span(r.roundTripsExclWaits0ms) !== span(r.roundTripsExclWaits),
    )
    if (differing.length) {
      out.push('', 'At 0 ms latency the same scenarios measured (calls sent together do not always overlap there):')
      for (const r of differing)
        out.push(`  ${r.scenario}: round trips ${span(r.roundTrips0ms)}, excl. waits ${span(r.roundTripsExclWaits0ms)}`)
    }
    process.stdout.write(`${out.join('\n')}\n`)
  }
  process.exitCode = 0
} catch (error) {
  progress(`deploy benchmark failed: ${(error as Error).stack ?? String(error)}`)
  process.exitCode = 1
} finally {
  await bed?.stop()
  await baseline?.dispose()
}
