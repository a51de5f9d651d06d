// The npm package as users get it: `socket-action --help` start-up (CPU and wall) and the package's size.
//
//   PATH=.tools/node24/bin:$PATH npm run bench:cli          # table on stdout (the node on PATH runs everything)
//   npm run bench:cli -- --runs 20 --json
//
// It packs what git tracks at HEAD and installs the tarball into an empty folder (as test/package.test.ts does; the
// npm registry is needed for the dependencies), then times, on the node running this script, each command --runs
// times (default 10) after one unmeasured run, and reports medians:
//   - floor:          `node -e 0`, Node.js's own start-up, which no CLI can beat;
//   - installed:      `node node_modules/.bin/socket-action --help` in the consumer folder (the compiled package);
//   - tsx, before:    `node src/cli/bin.js --help` of the last commit whose package `bin` was src/cli/bin.js (tsx
//                     compiling the TypeScript sources at every start; the bin before the compiled package);
//   - tsx, now:       `node src/cli/bin.js --help` of the working tree (the from-source launcher the tests use).
// CPU is user+sys of the child, from bash's `times` builtin (children's times); wall is bash's $EPOCHREALTIME around
// the command, so node's own spawn cost is not counted. Output is discarded.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { folderBytes, packAndInstall, ROOT, userEnv } from '../helpers/package.ts'

const { values: flags } = parseArgs({
  options: { runs: { type: 'string', default: '10' }, json: { type: 'boolean', default: false } },
})
const runs = Number(flags.runs)
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got "${flags.runs}"`)

const CPU_TARGET_MS = 150
const PACKED_TARGET_BYTES = 300_000

interface Sample {
  cpuMs: number
  wallMs: number
}

const TIMER = 's=$EPOCHREALTIME; "$@" >/dev/null 2>&1; rc=$?; e=$EPOCHREALTIME; times; echo "$rc $s $e"'

const seconds = (t: string) => {
  const m = /^(\d+)m([\d.]+)s$/.exec(t)
  if (!m) throw new Error(`unexpected output of bash times: ${t}`)
  return Number(m[1]) * 60 + Number(m[2])
}

/** One run of a command: CPU of the child (user+sys) and wall time, in ms. */
function sample(command: string[], cwd: string): Sample {
  const out = spawnSync('bash', ['-c', TIMER, 'timer', ...command], { cwd, env: userEnv(), encoding: 'utf8' })
  if (out.error) throw new Error(`cannot run bash (needed to time the children): ${out.error.message}`)
  const lines = out.stdout.trim().split('\n')
  const [user, sys] = lines[1]!.trim().split(/\s+/).map(seconds)
  const [rc, start, end] = lines[2]!.trim().split(/\s+/).map(Number)
  if (rc !== 0) throw new Error(`${command.join(' ')} exited ${rc} in ${cwd}`)
  return { cpuMs: (user! + sys!) * 1000, wallMs: (end! - start!) * 1000 }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

function measure(name: string, command: string[], cwd: string) {
  process.stderr.write(`${name}: ${runs} runs of ${command.join(' ')}\n`)
  sample(command, cwd) // unmeasured: fills the OS file cache, as any second start would find it
  const samples = Array.from({ length: runs }, () => sample(command, cwd))
  // More CPU than the machine's CPUs could give in that wall time: the VM's accounting under load, not the command.
  const impossible = samples.filter((s) => s.cpuMs > s.wallMs * availableParallelism()).length
  return {
    impossible,
    name,
    command: command.map((a) => a.replace(ROOT, '.')).join(' '),
    cpuMs: median(samples.map((s) => s.cpuMs)),
    wallMs: median(samples.map((s) => s.wallMs)),
    minCpuMs: Math.min(...samples.map((s) => s.cpuMs)),
    maxCpuMs: Math.max(...samples.map((s) => s.cpuMs)),
  }
}

/** The parent of the commit that moved `bin` off src/cli/bin.js: the CLI as it started before the compiled package. */
function tsxBaselineCommit(): string {
  const moved = execFileSync(
    'git',
    ['log', '-1', '--format=%H', '-S', '"socket-action": "src/cli/bin.js"', '--', 'package.json'],
    { cwd: ROOT, encoding: 'utf8' },
  ).trim()
  if (!moved)
    throw new Error(
      'no commit in git history changed bin "src/cli/bin.js" in package.json: cannot find the tsx baseline',
    )
  return execFileSync('git', ['rev-parse', '--short', `${moved}^`], { cwd: ROOT, encoding: 'utf8' }).trim()
}

const pkg = await packAndInstall()
const baselineCommit = tsxBaselineCommit()
const baseline = mkdtempSync(path.join(tmpdir(), 'socket-action-tsx-baseline-'))
try {
  // `git archive` of the baseline commit, with this checkout's node_modules (tsx is still installed: a dev dependency).
  const archive = execFileSync('git', ['archive', '--format=tar', baselineCommit], { cwd: ROOT, maxBuffer: 512 << 20 })
  execFileSync('tar', ['-x', '-C', baseline], { input: archive })
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(baseline, 'node_modules'))

  const node = process.execPath
  const rows = [
    measure('floor: node -e 0', [node, '-e', '0'], pkg.app),
    measure('installed package (compiled)', [node, pkg.bin, '--help'], pkg.app),
    measure(
      `tsx from source, before (${baselineCommit})`,
      [node, path.join(baseline, 'src/cli/bin.js'), '--help'],
      baseline,
    ),
    measure('tsx from source, now (src/cli/bin.js)', [node, path.join(ROOT, 'src/cli/bin.js'), '--help'], ROOT),
  ].map((r) => ({
    ...r,
    command: r.command
      .replace(baseline, `<git archive ${baselineCommit}>`)
      .replace(pkg.app, '<consumer>')
      .replace(node, 'node'),
  }))

  const installedPackage = folderBytes(path.join(pkg.app, 'node_modules/socket-action'))
  const installedAll = folderBytes(path.join(pkg.app, 'node_modules'))
  const sizes = {
    packedBytes: pkg.packedBytes,
    packedFiles: pkg.packedFiles,
    installedPackageBytes: installedPackage,
    installedWithDependenciesBytes: installedAll,
    installMs: Math.round(pkg.installMs),
  }
  const machine = {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: availableParallelism(),
  }
  const installed = rows[1]!
  const verdicts = {
    helpCpu: `${installed.cpuMs.toFixed(0)} ms ${installed.cpuMs <= CPU_TARGET_MS ? '<=' : '>'} ${CPU_TARGET_MS} ms target`,
    packed: `${(pkg.packedBytes / 1000).toFixed(1)} kB ${pkg.packedBytes <= PACKED_TARGET_BYTES ? '<=' : '>'} ${PACKED_TARGET_BYTES / 1000} kB target`,
  }

  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ machine, runs, rows, sizes, verdicts }, null, 2)}\n`)
  } else {
    const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`
    const out = [
      `socket-action --help start-up, ${machine.node} (${machine.platform} ${machine.arch}, ${machine.cpus} CPUs), median of ${runs} runs`,
      '',
      '| command | CPU user+sys (ms) | CPU min-max (ms) | wall (ms) |',
      '|---|---:|---:|---:|',
      ...rows.map(
        (r) =>
          `| ${r.name} | ${r.cpuMs.toFixed(0)} | ${r.minCpuMs.toFixed(0)}-${r.maxCpuMs.toFixed(0)} | ${r.wallMs.toFixed(0)} |`,
      ),
      '',
      `--help CPU of the installed package: ${verdicts.helpCpu}`,
      ...rows
        .filter((r) => r.impossible > 0)
        .map(
          (r) =>
            `warning: ${r.name}: ${r.impossible} of ${runs} samples report more CPU than ${machine.cpus} CPUs × wall; the VM's CPU accounting is unreliable now (load?), run again`,
        ),
      '',
      '| size | |',
      '|---|---:|',
      `| packed (.tgz, ${pkg.packedFiles} files) | ${kB(sizes.packedBytes)} |`,
      `| installed package (node_modules/socket-action) | ${kB(installedPackage)} |`,
      `| installed with its dependencies (node_modules) | ${(installedAll / 1e6).toFixed(1)} MB |`,
      '',
      `Packed size: ${verdicts.packed}. npm install of the tarball took ${(pkg.installMs / 1000).toFixed(1)} s.`,
      '',
      'Commands:',
      ...rows.map((r) => `  ${r.name}: ${r.command}`),
    ]
    process.stdout.write(`${out.join('\n')}\n`)
  }
} finally {
  rmSync(baseline, { recursive: true, force: true })
  rmSync(pkg.work, { recursive: true, force: true })
}
