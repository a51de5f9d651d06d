// The hostile-input corpus: broken or hostile projects (test/hostile/*.cases.ts) fed to `socket-action deploy` as a
// user runs it, against moto behind the shim. Every case must end with its exit code and a message that names the
// place and the fix; none may crash, hang, print the planted secret or write to AWS. The counts are printed.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type AwsBed, startAwsBed } from './helpers/aws-bed.ts'
import { runNode } from './helpers/processes.ts'
import type { Entry, HostileCase } from './hostile/case.ts'
import { PLANTED_SECRET, SOCKET_JS, withInputs } from './hostile/case.ts'

const ROOT = path.join(import.meta.dirname, '..')
const BIN = path.join(ROOT, 'src/cli/bin.js')
/** Longer than any honest rejection takes here (a cold tsx start is ~1 s): past it, the case hangs. */
const HANG_MS = 30_000
const DEFAULT_FILES = { 'serverless.yml': withInputs('    region: us-east-1\n'), 'socket.js': SOCKET_JS }

const groups = await Promise.all(
  ['config-parse', 'config-values', 'secrets', 'code', 'command-line'].map(async (name) => ({
    name,
    cases: ((await import(`./hostile/${name}.cases.ts`)) as { cases: HostileCase[] }).cases,
  })),
)

const counts = { cases: 0, passed: 0, crashes: 0, hangs: 0, leaks: 0, unplaced: 0, wrong: 0 }
let bed: AwsBed
let root: string

before(async () => {
  bed = await startAwsBed()
  root = await mkdtemp(path.join(tmpdir(), 'socket-action-hostile-'))
})
after(async () => {
  const writes = bed?.shim.writes() ?? []
  console.log(
    `hostile corpus: ${counts.cases} cases, ${counts.passed} as expected; ${counts.crashes} crashes, ${counts.hangs} hangs, ` +
      `${counts.leaks} leaks, ${writes.length} AWS writes, ${counts.unplaced} messages without their place, ` +
      `${counts.wrong} other mismatches`,
  )
  await bed?.stop()
  if (root) await rm(root, { recursive: true, force: true })
  assert.ok(counts.cases >= 100, `the corpus has ${counts.cases} cases; it must cover at least 100 projects`)
  assert.deepEqual(
    writes.map((w) => `${w.service} ${w.operation}`),
    [],
    'no rejected input may reach an AWS write',
  )
})

async function materialize(dir: string, files: HostileCase['files']): Promise<void> {
  await mkdir(dir, { recursive: true })
  for (const [name, entry] of Object.entries<Entry>({ ...DEFAULT_FILES, ...files })) {
    const target = path.join(dir, name)
    await mkdir(path.dirname(target), { recursive: true })
    if (entry === null) continue
    if (typeof entry === 'string' || entry instanceof Uint8Array) await writeFile(target, entry)
    else if ('symlink' in entry) await symlink(entry.symlink.replaceAll('{dir}', dir), target)
    else if ('fifo' in entry) execFileSync('mkfifo', [target])
    else await mkdir(target, { recursive: true })
  }
}

/**
 * `serverless.yml:4` as the output may name it: `<dir>/serverless.yml:4:`, or relative to the folder the command runs
 * in (the project's); anything else (`--region`) as it is.
 */
function placesOf(at: string, dir: string): string[] {
  const line = /^(.+):(\d+)$/.exec(at)
  if (!line) return [at]
  const file = path.resolve(dir, line[1]!)
  return [`${file}:${line[2]}:`, `${path.relative(dir, file)}:${line[2]}:`]
}

/** A stack trace or an engine failure: the user sees our internals instead of a message. */
const CRASH_RE = /^\s+at .+:\d+:\d+\)?$|Maximum call stack|RangeError|TypeError|SyntaxError|internal error/m

for (const group of groups) {
  describe(`hostile ${group.name}`, { concurrency: 6 }, () => {
    for (const [i, c] of group.cases.entries()) {
      test(c.name, async () => {
        counts.cases++
        const dir = path.join(root, `${group.name}-${i}`)
        await materialize(dir, c.files)
        const args = (c.args ?? ['deploy', '{dir}', '--stage', 'corpus']).map((a) => a.replaceAll('{dir}', dir))
        const env = { ...process.env, SECRET_PLANTED: PLANTED_SECRET, ...c.env, NO_COLOR: '1', CI: 'true' }
        const child = runNode(BIN, args, { cwd: dir, env })
        let timer: NodeJS.Timeout | undefined
        const hung = new Promise<'hung'>((resolve) => {
          timer = setTimeout(() => resolve('hung'), HANG_MS)
        })
        const result = await Promise.race([child.done, hung])
        clearTimeout(timer)
        if (result === 'hung') {
          counts.hangs++
          child.kill('SIGKILL')
          assert.fail(`hangs: no answer in ${HANG_MS / 1000} s; printed so far: ${child.stdout().slice(0, 300)}`)
        }
        const output = `${result.stdout}\n${result.stderr}`
        const secrets = Object.entries(env)
          .filter(([k, v]) => k.startsWith('SECRET_') && v)
          .map(([, v]) => v as string)
        const leaked = secrets.filter((s) => output.includes(s))
        if (leaked.length) counts.leaks++
        assert.deepEqual(leaked, [], `a secret was printed:\n${output.slice(0, 2000)}`)
        if (result.code === null || result.code > 2 || CRASH_RE.test(output)) {
          counts.crashes++
          assert.fail(`crashed (exit ${result.code}):\n${output.slice(0, 2000)}`)
        }
        const places = placesOf(c.expect.at, dir)
        if (!places.some((place) => output.includes(place))) {
          counts.unplaced++
          assert.fail(`the message does not name ${places[0]}:\n${result.stderr.slice(0, 2000)}`)
        }
        if (result.code !== c.expect.exit || !c.expect.message.test(output)) {
          counts.wrong++
          assert.equal(result.code, c.expect.exit, `exit code; output:\n${output.slice(0, 2000)}`)
          assert.match(output, c.expect.message)
        }
        counts.passed++
      })
    }
  })
}
