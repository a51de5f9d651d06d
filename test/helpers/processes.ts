// Child processes run as a user or the runner would run them: output collected, exit code awaited.
import { spawn } from 'node:child_process'

export interface Finished {
  code: number | null
  stdout: string
  stderr: string
}

export interface Running {
  done: Promise<Finished>
  /** What it has printed so far. */
  stdout(): string
  kill(signal: NodeJS.Signals): void
}

export function runNode(script: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Running {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const done = new Promise<Finished>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })))
  return { done, stdout: () => stdout, kill: (signal) => child.kill(signal) }
}
