// Starts moto (the AWS emulator, https://github.com/getmoto/moto) from the project's own venv for integration tests.
// A missing moto is a test failure with install instructions, never a skip.
import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'

export interface Moto {
  /** http://127.0.0.1:PORT, usable as the AWS SDK `endpoint`. */
  endpoint: string
  port: number
  /** POST /moto-api/reset: forget every resource of every service. */
  reset(): Promise<void>
  stop(): Promise<void>
}

export interface StartMotoOptions {
  /** Path of the moto_server executable (default: <repo>/.venv/bin/moto_server). */
  binary?: string
  /** How long to wait for moto to answer (default 20 s). */
  readyTimeoutMs?: number
  /** Extra environment, e.g. { MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' }. */
  env?: Record<string, string>
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const DEFAULT_MOTO_BINARY = `${REPO_ROOT}.venv/bin/moto_server`

export const MOTO_INSTALL_HINT =
  'Install it into the project venv: `python3 -m venv .venv && .venv/bin/pip install "moto[server]==5.2.5"` ' +
  '(run from the repository root), or run `bash .ci/run`, which installs everything the tests need.'

// The shell in between kills moto as soon as its stdin closes, which happens when the test process ends for any
// reason (even SIGKILL), so moto never outlives the tests.
const WATCHDOG =
  '"$0" -H 127.0.0.1 -p "$1" & moto=$!; echo "moto-pid:$moto"; read -r _; kill "$moto" 2>/dev/null; wait "$moto"'

export async function startMoto(options: StartMotoOptions = {}): Promise<Moto> {
  const binary = options.binary ?? DEFAULT_MOTO_BINARY
  assertExecutable(binary)
  const port = await freePort()
  const endpoint = `http://127.0.0.1:${port}`
  const child = spawn('/bin/sh', ['-c', WATCHDOG, binary, String(port)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  })
  const output = captureOutput(child)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  // On a normal exit, kill moto itself at once rather than rely on the watchdog noticing.
  const killOnExit = () => {
    const pid = output.motoPid()
    if (pid) killQuietly(pid)
  }
  process.once('exit', killOnExit)
  // Never keep the test process alive on moto's account; the watchdog above cleans up if stop() is forgotten.
  child.unref()
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?(): void })?.unref?.()

  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    process.off('exit', killOnExit)
    child.stdin?.end()
    const timer = new AbortController()
    const code = await Promise.race([
      exited,
      sleep(5000, 'timeout' as const, { signal: timer.signal }).catch(() => undefined),
    ])
    timer.abort()
    if (code === 'timeout') {
      killOnExit()
      child.kill('SIGKILL')
    }
  }

  try {
    await waitUntilReady(endpoint, exited, options.readyTimeoutMs ?? 20_000, output)
  } catch (error) {
    await stop()
    throw error
  }

  return {
    endpoint,
    port,
    stop,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' })
      await res.arrayBuffer()
      if (!res.ok) throw new Error(`moto reset answered ${res.status}`)
    },
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGTERM')
  } catch {
    // already gone
  }
}

function assertExecutable(binary: string): void {
  try {
    accessSync(binary, constants.X_OK)
  } catch {
    throw new Error(
      `moto_server not found at ${binary}. The deploy engine's tests need moto 5.2.5. ${MOTO_INSTALL_HINT}`,
    )
  }
}

/** A port that was free a moment ago: listen on 0, read the port, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Keeps the tail of moto's output (for error messages) and the pid the watchdog prints first. */
function captureOutput(child: ChildProcess): { text(): string; motoPid(): number | undefined } {
  let text = ''
  let motoPid: number | undefined
  const append = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-4000)
    motoPid ??= Number(/moto-pid:(\d+)/.exec(text)?.[1]) || undefined
  }
  child.stdout?.on('data', append)
  child.stderr?.on('data', append)
  return { text: () => text, motoPid: () => motoPid }
}

async function waitUntilReady(
  endpoint: string,
  exited: Promise<number | null>,
  timeoutMs: number,
  output: { text(): string },
): Promise<void> {
  let exitCode: number | null | undefined
  void exited.then((code) => (exitCode = code))
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (exitCode !== undefined)
      throw new Error(`moto_server exited (code ${exitCode}) before answering:\n${output.text()}\n${MOTO_INSTALL_HINT}`)
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) })
      await res.arrayBuffer()
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await sleep(100)
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms:\n${output.text()}`)
}
