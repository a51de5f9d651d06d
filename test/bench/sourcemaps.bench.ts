// Source maps in the deployed function: what each way of mapping stack traces back to socket.js costs at cold start,
// per thrown error, and in zip bytes.
//
//   PATH=.tools/node24/bin:$PATH npm run bench:sourcemaps      # table on stdout (the node on PATH runs the children)
//   npm run bench:sourcemaps -- --runs 30 --json
//   npm run bench:sourcemaps -- --fixtures yaml --only before,d3 --runs 60     # a subset: fixtures by name, layouts by id
//
// Two socket.js fixtures, written to a temporary folder: "small" (two routes, the bundle is the runtime and socket.js)
// and "yaml" (the same, importing the `yaml` package, copied into the fixture's node_modules: a ~280 kB bundle, most
// of it a dependency). Each is bundled with bundleSocket in every layout below, the zip unzipped to its own folder
// (with node_modules linked for the AWS SDK, as Lambda's runtime provides it), and then, --runs times (default 15,
// layouts interleaved), a fresh `node test/helpers/zip-child.cjs <folder> ok boom boom boom boom boom` measures:
//   - load:       require('index.js'), i.e. reading and compiling the handler module (the AWS SDK client included),
//                 wall time and CPU time (user+sys; steadier when other jobs share the machine);
//   - 1st call:   the first invocation, a route that returns;
//   - 1st error:  the first invocation whose route throws: the runtime logs the error's stack (console.error JSON),
//                 which is when Node.js formats it, and with source maps, parses the map (lazily, on first use);
//                 wall and CPU time;
//   - error:      the median of the next four throwing invocations (map already parsed);
//   - process:    wall time of the whole child, node's own start-up included (spawnSync around it).
// Reported: medians over the runs; the zip's size; whether the stack names socket.js:<line of the throw>.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { unzipSync } from 'fflate'
import {
  BUNDLE_FILE,
  bundleSocket,
  HANDLER_FILE,
  SOURCE_MAP_LAYOUT,
  type SourceMapLayout,
} from '../../src/bundle/build.ts'
import { zip } from '../../src/bundle/zip.ts'
import { extractZip, runZip } from '../helpers/lambda-zip.ts'

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    json: { type: 'boolean', default: false },
    fixtures: { type: 'string', default: 'small,yaml' },
    only: { type: 'string' },
  },
})
const runs = Number(flags.runs)
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got "${flags.runs}"`)

const ROOT = path.resolve(import.meta.dirname, '../..')
const THROW_LINE = 6
const SOCKET = (withYaml: boolean) =>
  [
    withYaml ? "import YAML from 'yaml'" : '// no dependencies',
    '',
    `on('ok', async (data) => ${withYaml ? 'YAML.stringify(data)' : 'JSON.stringify(data)'})`,
    '',
    "on('boom', async (data) => {",
    "  throw new Error('boom ' + data.n)", // THROW_LINE
    '})',
    '',
  ].join('\n')

interface Variant {
  /** For --only. */
  id: string
  name: string
  layout: SourceMapLayout
  /** NODE_OPTIONS for the function (a configuration change on the deployed function). */
  nodeOptions?: string
  /** Calls process.setSourceMapsEnabled(true) as the bundle's first statement instead of from a loader. */
  enableInBundle?: boolean
}

const VARIANTS: Variant[] = [
  { id: 'before', name: 'no source map (before)', layout: { map: 'none', scope: 'all', loader: false } },
  {
    id: 'a',
    name: '(a) inline, NODE_OPTIONS',
    layout: { map: 'inline', scope: 'all', loader: false },
    nodeOptions: '--enable-source-maps',
  },
  {
    id: 'b',
    name: '(b) external, NODE_OPTIONS',
    layout: { map: 'external', scope: 'all', loader: false },
    nodeOptions: '--enable-source-maps',
  },
  {
    id: 'c',
    name: '(c) inline, enabled in the bundle',
    layout: { map: 'inline', scope: 'all', loader: false },
    enableInBundle: true,
  },
  { id: 'c2', name: "(c') external, loader index.js", layout: { map: 'external', scope: 'all', loader: true } },
  {
    id: 'd1',
    name: '(d) external user-only, NODE_OPTIONS',
    layout: { map: 'external', scope: 'user', loader: false },
    nodeOptions: '--enable-source-maps',
  },
  { id: 'd2', name: '(d) inline user-only, loader index.js', layout: { map: 'inline', scope: 'user', loader: true } },
  {
    id: 'd3',
    name: '(d) external user-only, loader index.js',
    layout: { map: 'external', scope: 'user', loader: true },
  },
]

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** (c): the bundle's first statement turns source maps on; the line count is unchanged, so the map still fits. */
function enableInBundle(archive: Uint8Array): Buffer {
  const files = unzipSync(archive)
  const code = new TextDecoder().decode(files[HANDLER_FILE])
  return zip(
    Object.entries(files).map(([name, data]) => ({
      name,
      data: name === HANDLER_FILE ? new TextEncoder().encode(`process.setSourceMapsEnabled(true);${code}`) : data,
    })),
  )
}

const extracted: string[] = []
const work = mkdtempSync(path.join(tmpdir(), 'socket-action-bench-maps-'))
try {
  const only = flags.only?.split(',')
  const variants = VARIANTS.filter((v) => !only || only.includes(v.id))
  const names = flags.fixtures.split(',')
  if (!variants.length || names.some((n) => n !== 'small' && n !== 'yaml'))
    throw new Error(`--only takes ${VARIANTS.map((v) => v.id).join(',')}; --fixtures takes small,yaml`)
  const fixtures = names.map((name) => {
    const dir = path.join(work, name)
    mkdirSync(dir)
    writeFileSync(path.join(dir, 'socket.js'), SOCKET(name === 'yaml'))
    if (name === 'yaml')
      cpSync(path.join(ROOT, 'node_modules/yaml'), path.join(dir, 'node_modules/yaml'), { recursive: true })
    return { name, file: path.join(dir, 'socket.js') }
  })

  const cases = []
  for (const fixture of fixtures) {
    for (const variant of variants) {
      const bundle = await bundleSocket(fixture.file, { sourceMap: variant.layout })
      const archive = variant.enableInBundle ? enableInBundle(bundle.zip) : bundle.zip
      const dir = extractZip(archive, 'socket-action-bench-zip-')
      extracted.push(dir)
      const unzipped = Object.values(unzipSync(archive)).reduce((n, d) => n + d.length, 0)
      cases.push({
        fixture: fixture.name,
        variant,
        dir,
        zipBytes: archive.length,
        unzippedBytes: unzipped,
        samples: [] as Array<Record<string, number>>,
        stack: '',
      })
    }
  }

  const routes = ['ok', 'boom', 'boom', 'boom', 'boom', 'boom']
  for (let run = 0; run <= runs; run++) {
    process.stderr.write(`run ${run}/${runs}\r`)
    for (const c of cases) {
      const env: Record<string, string> = c.variant.nodeOptions ? { NODE_OPTIONS: c.variant.nodeOptions } : {}
      const started = performance.now()
      const result = runZip(c.dir, routes, { env })
      const processMs = performance.now() - started
      if (run === 0) {
        c.stack = result.invocations[1]!.error?.stack ?? ''
        continue // unmeasured: fills the OS file cache, as a second cold start would find it
      }
      const [ok, first, ...later] = result.invocations
      c.samples.push({
        loadMs: result.loadMs,
        loadCpuMs: result.loadCpuMs,
        okMs: ok!.ms,
        firstErrorMs: first!.ms,
        firstErrorCpuMs: first!.cpuMs,
        errorMs: median(later.map((i) => i.ms)),
        processMs,
      })
    }
  }
  process.stderr.write('\n')

  const rows = cases.map((c) => {
    const at = (key: string) => median(c.samples.map((s) => s[key]!))
    const frame = c.stack.split('\n').find((l) => l.trim().startsWith('at ')) ?? ''
    return {
      fixture: c.fixture,
      variant: c.variant.name,
      layout: c.variant.layout,
      nodeOptions: c.variant.nodeOptions ?? null,
      zipBytes: c.zipBytes,
      unzippedBytes: c.unzippedBytes,
      loadMs: at('loadMs'),
      loadCpuMs: at('loadCpuMs'),
      okMs: at('okMs'),
      firstErrorMs: at('firstErrorMs'),
      firstErrorCpuMs: at('firstErrorCpuMs'),
      errorMs: at('errorMs'),
      processMs: at('processMs'),
      mapped: new RegExp(`[/(]socket\\.js:${THROW_LINE}:`).test(frame),
      frame: frame.trim().replace(c.dir, '<task>'),
    }
  })
  const machine = {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: availableParallelism(),
  }

  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ machine, runs, default: SOURCE_MAP_LAYOUT, rows }, null, 2)}\n`)
  } else {
    const f = (n: number, digits = 1) => n.toFixed(digits)
    const out = [
      `Source maps in the deployed package, ${machine.node} (${machine.platform} ${machine.arch}, ${machine.cpus} CPUs), median of ${runs} cold starts`,
      `(the default layout is ${JSON.stringify(SOURCE_MAP_LAYOUT)}; index.js is a loader when loader is true, the bundle is then ${BUNDLE_FILE})`,
      '',
      '| fixture | layout | zip (B) | unzipped (B) | load (ms) | load CPU (ms) | 1st call (ms) | 1st error (ms) | 1st error CPU (ms) | error (ms) | process (ms) | socket.js:line |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
      ...rows.map(
        (r) =>
          `| ${r.fixture} | ${r.variant} | ${r.zipBytes.toLocaleString('en')} | ${r.unzippedBytes.toLocaleString('en')} | ${f(r.loadMs)} | ${f(r.loadCpuMs)} | ${f(r.okMs, 2)} | ${f(r.firstErrorMs, 2)} | ${f(r.firstErrorCpuMs, 2)} | ${f(r.errorMs, 3)} | ${f(r.processMs, 0)} | ${r.mapped ? 'yes' : `no: ${r.frame}`} |`,
      ),
    ]
    process.stdout.write(`${out.join('\n')}\n`)
  }
} finally {
  for (const dir of extracted) rmSync(dir, { recursive: true, force: true })
  rmSync(work, { recursive: true, force: true })
}
