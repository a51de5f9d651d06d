// The npm package as users get it: `npm pack` of what git tracks at HEAD (see tracked.ts), installed from the tarball
// into an empty folder. Shared by test/package.test.ts and test/bench/cli.bench.ts. Every missing prerequisite (git,
// npm, the registry) is an error that says what to do, never a skip.
import { spawn } from 'node:child_process'
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { REPO_ROOT, trackedCopy } from './tracked.ts'

export const ROOT = REPO_ROOT

/** npm's own script (npm-cli.js), run with the node running the tests, so npm and the package see the same Node.js. */
export function findNpm(): string {
  const candidates: string[] = []
  if (process.env.npm_execpath) candidates.push(process.env.npm_execpath)
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const npm = path.join(dir, 'npm')
    if (!existsSync(npm)) continue
    const real = realpathSync(npm)
    candidates.push(
      real,
      path.join(path.dirname(real), 'npm-cli.js'),
      path.join(dir, '../lib/node_modules/npm/bin/npm-cli.js'),
    )
  }
  candidates.push(path.join(path.dirname(process.execPath), '../lib/node_modules/npm/bin/npm-cli.js'))
  const found = candidates.find((file) => path.basename(file) === 'npm-cli.js' && existsSync(file))
  if (!found) {
    throw new Error(
      `npm not found (looked for npm-cli.js through npm_execpath and every npm on PATH): the package test needs npm to pack and install the package; install Node.js with npm, or put npm on PATH`,
    )
  }
  return found
}

/** The environment of everything the package's user would run: this node first on PATH, no npm script variables. */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    // `npm test` (or `npm exec -c`) passes its own state to its scripts as npm_* variables, which a nested npm would
    // take as its configuration (npm_config_local_prefix: the project folder; npm_config_call: run that instead).
    // Keep only where the registry is and how to reach it.
    const keep = /^npm_config_(registry|cache|userconfig|https?_proxy|proxy|noproxy|strict_ssl|cafile|ca)$/i
    if ((/^npm_/i.test(name) && !keep.test(name)) || name === 'INIT_CWD') continue
    env[name] = value
  }
  env.PATH = `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`
  return { ...env, ...extra }
}

export interface Ran {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a command to its end and collects its output. */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? userEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 180_000)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(new Error(`cannot run ${command}: ${error.message}`))
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

export interface Installed {
  /** Scratch folder holding everything below; remove it when done. */
  work: string
  tarball: string
  /** Bytes of the .tgz. */
  packedBytes: number
  /** Files in the tarball. */
  packedFiles: number
  /** The consumer project the tarball was installed into (empty but for its package.json). */
  app: string
  /** node_modules/.bin/socket-action of the consumer. */
  bin: string
  npm: string
  /** Milliseconds of `npm install <tgz>`. */
  installMs: number
}

/** npm pack of the tracked files, then npm install of the tarball into an empty project. */
export async function packAndInstall(): Promise<Installed> {
  const npm = findNpm()
  let source: string
  try {
    source = await trackedCopy('socket-action-source-')
  } catch (error) {
    throw new Error(
      `cannot extract git archive HEAD of ${ROOT} (${(error as Error).message.split('\n')[0]}): the package is packed from what git tracks, so this needs git and a checkout`,
    )
  }
  const work = mkdtempSync(path.join(tmpdir(), 'socket-action-package-'))
  try {
    const packed = await run(process.execPath, [npm, 'pack', '--json', '--pack-destination', work], { cwd: source })
    if (packed.code !== 0) throw new Error(`npm pack failed (${packed.code}):\n${packed.stderr}`)
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as {
      filename: string
      size: number
      entryCount: number
    }[]
    const tarball = path.join(work, info!.filename)

    const app = path.join(work, 'app')
    mkdirSync(app)
    writeFileSync(
      path.join(app, 'package.json'),
      JSON.stringify({ name: 'socket-action-user', private: true, type: 'module' }, null, 2),
    )
    const started = performance.now()
    const installed = await run(
      process.execPath,
      [npm, 'install', '--no-audit', '--no-fund', '--loglevel=error', tarball],
      { cwd: app, timeoutMs: 300_000 },
    )
    const installMs = performance.now() - started
    if (installed.code !== 0) {
      throw new Error(
        `npm install ${path.basename(tarball)} failed (${installed.code}); it needs the npm registry for the package's dependencies:\n${installed.stderr}`,
      )
    }
    const bin = path.join(app, 'node_modules/.bin/socket-action')
    accessSync(bin, constants.X_OK)
    return { work, tarball, packedBytes: info!.size, packedFiles: info!.entryCount, app, bin, npm, installMs }
  } catch (error) {
    rmSync(work, { recursive: true, force: true })
    throw error
  } finally {
    rmSync(source, { recursive: true, force: true })
  }
}

/** Bytes of the files under a folder (apparent sizes, not disk blocks). */
export function folderBytes(dir: string): number {
  let total = 0
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += statSync(path.join(entry.parentPath, entry.name)).size
  }
  return total
}
