// An error that carries its file and line: ConfigError (serverless.yml) and BundleError (socket.js). The CLI prints
// these one per line; the Action makes them annotations. A module of its own so neither loads the YAML parser for it.
import type { Diagnostic } from './diagnostics.ts'

export type Diagnosed = Error & { diagnostics: Diagnostic[] }

export function hasDiagnostics(error: unknown): error is Diagnosed {
  return error instanceof Error && Array.isArray((error as { diagnostics?: unknown }).diagnostics)
}
