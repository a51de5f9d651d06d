// A built deployment package run the way Lambda runs it: unzipped into a folder, index.js required in a fresh node
// process, with the AWS SDK resolvable beside it (Lambda's runtime ships it; here this checkout's node_modules).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { unzipSync } from 'fflate'

const ROOT = path.resolve(import.meta.dirname, '../..')
const CHILD = path.join(import.meta.dirname, 'zip-child.cjs')

/** Unzips into a new temporary folder (the caller removes it) and links node_modules for the AWS SDK. */
export function extractZip(zip: Uint8Array, prefix = 'socket-action-zip-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  for (const [name, data] of Object.entries(unzipSync(zip))) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    writeFileSync(path.join(dir, name), data)
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'))
  return dir
}

export interface ZipRun {
  loadMs: number
  /** CPU (user+sys) of this thread while requiring index.js: steadier than wall time on a loaded machine. */
  loadCpuMs: number
  invocations: Array<{
    route: string
    ms: number
    cpuMs: number
    error?: { name: string; message: string; stack: string }
  }>
  /** What the handler wrote with console.error (the runtime's JSON line for a failed route). */
  logged: string[]
}

/** Requires `dir`/index.js in a fresh process and invokes `handler` once per route, in order. */
export function runZip(
  dir: string,
  routes: string[],
  options: { env?: Record<string, string>; node?: string } = {},
): ZipRun {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
    ...options.env,
  }
  const out = spawnSync(options.node ?? process.execPath, [CHILD, dir, ...routes], { env, encoding: 'utf8' })
  const line = out.stdout.trim().split('\n').at(-1) ?? ''
  let parsed: ZipRun & { fatal?: string }
  try {
    parsed = JSON.parse(line)
  } catch {
    throw new Error(`the child exited ${out.status} without a result:\n${out.stdout}\n${out.stderr}`)
  }
  if (parsed.fatal) throw new Error(`loading the package failed:\n${parsed.fatal}`)
  return parsed
}
