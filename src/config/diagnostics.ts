/** A single problem in a config file, 1-based line/column. */
export interface Diagnostic {
  file: string
  line: number
  column: number
  message: string
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.message}`
}

/** Thrown by loadConfig with every problem found (not only the first). */
export class ConfigError extends Error {
  readonly diagnostics: Diagnostic[]

  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'))
    this.name = 'ConfigError'
    this.diagnostics = diagnostics
  }
}
