// Runs a socket.js bundle the way Lambda does with respect to the AWS SDK: @aws-sdk/* is left out of the bundle, so
// the function uses the SDK the Node.js runtime ships, which is older than the project's. The bundle runs in a child
// process (test/helpers/lambda-sdk-child.cjs) whose NODE_PATH resolves @aws-sdk/client-apigatewaymanagementapi to the
// chosen version, installed in node_modules under an npm alias.
import { type ChildProcess, fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleSocket } from '../../src/bundle/build.ts'
import type { WebSocketEvent } from '../../runtime/types.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const SDK_NAME = '@aws-sdk/client-apigatewaymanagementapi'

export interface RuntimeSdk {
  /** Which runtime ships it, for test names. */
  label: string
  /** The package that holds it in node_modules (an npm alias for the older one). */
  installedAs: string
  /** Its version, as the child must report it: the test fails if another SDK was loaded. */
  version: string
}

/**
 * The SDKs under test (README, "The AWS SDK the Lambda runtime ships"): the oldest one a supported Node.js runtime is
 * known to ship, and the project's own (package-lock.json), which is what a runtime updated since ships at most.
 */
export const RUNTIME_SDKS: RuntimeSdk[] = [
  { label: 'nodejs22.x (SDK 3.895.0)', installedAs: 'apigw-management-runtime-oldest', version: '3.888.0' },
  { label: 'current', installedAs: SDK_NAME, version: installedVersion(SDK_NAME) },
]

function packageDir(installedAs: string): string {
  const require = createRequire(import.meta.url)
  let manifest: string
  try {
    manifest = require.resolve(`${installedAs}/package.json`)
  } catch {
    throw new Error(
      `${installedAs} is not installed (it is a devDependency in package.json): run npm ci, then run this test again`,
    )
  }
  return path.dirname(manifest)
}

function installedVersion(installedAs: string): string {
  return (createRequire(import.meta.url)(`${installedAs}/package.json`) as { version: string }).version
}

export interface InvokeResult {
  /** What the handler returned, or the error it threw (as text). */
  result?: unknown
  error?: string
  /** What socket.send did, as test/fixtures/send-sdk/socket.js recorded it. */
  outcome?: { sent: boolean; error?: SendError }
  /** What the function printed during the invocation. */
  logs: string
}

export interface SendError {
  name?: string
  message?: string
  connectionId?: string
  fault?: string
  metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number }
  cause?: SendError
}

export interface LambdaWithSdk {
  /** The SDK entry file the bundle's require resolved to, and its package version. */
  sdkEntry: string
  sdkVersion: string
  invoke(event: WebSocketEvent): Promise<InvokeResult>
  close(): Promise<void>
}

/** Bundles test/fixtures/send-sdk/socket.js and starts it in a child whose runtime SDK is `sdk`. */
export async function startLambdaWithSdk(sdk: RuntimeSdk, env: Record<string, string>): Promise<LambdaWithSdk> {
  const source = await realpath(packageDir(sdk.installedAs))
  const root = await mkdtemp(path.join(os.tmpdir(), 'send-sdk-'))
  // The runtime's module folder: the SDK under its real name. Node resolves the link to its target, so the SDK's own
  // dependencies come from where npm installed them for that version.
  const runtimeModules = path.join(root, 'runtime', 'node_modules')
  await mkdir(path.join(runtimeModules, '@aws-sdk'), { recursive: true })
  await symlink(source, path.join(runtimeModules, SDK_NAME), 'dir')
  // The deployment package, unzipped: the loader index.js, the bundle and its map.
  const taskDir = path.join(root, 'task')
  await mkdir(taskDir)
  const bundle = await bundleSocket(path.join(here, '..', 'fixtures', 'send-sdk', 'socket.js'))
  for (const file of bundle.files) await writeFile(path.join(taskDir, file.name), file.data)

  const child: ChildProcess = fork(path.join(here, 'lambda-sdk-child.cjs'), [taskDir], {
    cwd: taskDir,
    env: { PATH: process.env.PATH ?? '', NODE_PATH: runtimeModules, ...env },
    execArgv: [], // not tsx: the function runs as plain Node.js
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`the Lambda stand-in exited (${signal ?? code}) before answering:\n${output}`)),
    ),
  )
  exited.catch(() => {}) // observed through the races below
  const ready = new Promise<{ sdkEntry: string; sdkVersion: string }>((resolve) =>
    child.once('message', (m) => resolve(m as { sdkEntry: string; sdkVersion: string })),
  )
  const { sdkEntry, sdkVersion } = await Promise.race([ready, exited])

  let next = 0
  const waiting = new Map<number, (r: InvokeResult) => void>()
  child.on('message', (m: { type: string; id: number } & InvokeResult) => {
    if (m.type !== 'result') return
    waiting.get(m.id)?.(m)
    waiting.delete(m.id)
  })
  return {
    sdkEntry,
    sdkVersion,
    invoke(event) {
      const id = next++
      const answered = new Promise<InvokeResult>((resolve) => waiting.set(id, resolve))
      child.send({ id, event })
      return Promise.race([answered, exited])
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await gone
      }
      if (existsSync(root)) await rm(root, { recursive: true, force: true })
    },
  }
}
