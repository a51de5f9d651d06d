// The `socket-action` command line: parses arguments, runs one command, turns errors into messages and exit codes.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { startDev } from '../dev/serve.ts'

const HELP = `socket-action: ship a serverless WebSocket backend (API Gateway v2 + Lambda)

Usage:
  socket-action dev [dir] [--port 3001] [--host 127.0.0.1] [--config serverless.yml] [--stage S]
                     [--component NAME] [--drop-disconnect]
      Serve socket.js on ws://HOST:PORT/{stage} behind a local gateway that behaves like API Gateway,
      rebuilding on every change. --port 0 picks a free port. --drop-disconnect never delivers
      $disconnect (AWS delivers it only on a best-effort basis) to test how stale ids are handled.

Options:
  -h, --help     show this help
  -v, --version  show the version
`

interface Diagnosed {
  diagnostics: { file: string; line: number; column: number; message: string }[]
}

function isDiagnosed(error: unknown): error is Error & Diagnosed {
  return error instanceof Error && Array.isArray((error as Partial<Diagnosed>).diagnostics)
}

/** Prints an error for a person: diagnostics one per line, anything else as its message. */
export function reportError(error: unknown, write: (line: string) => void = (l) => console.error(l)): void {
  if (isDiagnosed(error)) {
    for (const d of error.diagnostics) write(`${d.file}:${d.line}:${d.column}: error: ${d.message}`)
  } else {
    write(`error: ${error instanceof Error ? error.message : String(error)}`)
  }
}

export function configPathFor(dir: string | undefined, config: string | undefined): string {
  const base = dir ?? '.'
  if (config) return path.isAbsolute(config) || existsSync(config) ? config : path.join(base, config)
  return path.join(base, 'serverless.yml')
}

async function dev(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '3001' },
      host: { type: 'string', default: '127.0.0.1' },
      config: { type: 'string' },
      stage: { type: 'string' },
      component: { type: 'string' },
      'drop-disconnect': { type: 'boolean', default: false },
    },
  })
  if (positionals.length > 1) throw new Error(`dev takes one folder, got ${positionals.length}: ${positionals.join(' ')}`)
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number (0-65535), got "${values.port}"`)
  const server = await startDev({
    configFile: configPathFor(positionals[0], values.config),
    port,
    host: values.host,
    stage: values.stage,
    component: values.component,
    dropDisconnect: values['drop-disconnect'],
    watch: true,
  })
  const s = server.socket
  console.log(`socket-action dev: ${s.app} (stage ${s.stage}, ${path.relative(process.cwd(), s.handlerFile) || s.handlerFile})`)
  console.log(`  WebSocket:    ${server.url}`)
  console.log(`  @connections: ${server.connectionsUrl}/{connectionId}`)
  console.log(`  try it:       npx wscat -c ${server.url}`)
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await server.close()
  return 0
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        console.log(HELP)
        return command === undefined ? 1 : 0
      case '-v':
      case '--version': {
        const { createRequire } = await import('node:module')
        console.log(createRequire(import.meta.url)('../../package.json').version)
        return 0
      }
      case 'dev':
        return await dev(rest)
      default:
        console.error(`error: unknown command "${command}"\n\n${HELP}`)
        return 2
    }
  } catch (error) {
    reportError(error)
    return 1
  }
}
