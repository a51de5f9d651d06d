// A command's options, declared once: the parser and the --help text both read the same declaration.
import { parseArgs } from 'node:util'
import { didYouMean } from '../config/suggest.ts'
import { UsageError } from './usage.ts'

export interface OptionSpec {
  name: string
  short?: string
  /** The value's placeholder in help (`--stage S`); a flag (boolean) has none. */
  value?: string
  description: string
  /** Said in help after the description: `(default: ...)`. */
  default?: string
  /** May be given more than once: the values are joined with commas (`--allow-origin a --allow-origin b` is `a,b`). */
  repeatable?: boolean
}

export interface CommandSpec {
  name: string
  /** One line for the overview (`socket-action --help`). */
  summary: string
  /** Arguments after the command name, as help shows them, e.g. `[dir] [options]`. */
  synopsis: string
  /** Paragraphs under the usage line of `socket-action NAME --help`. */
  description: string
  /** How many positional arguments it takes at most, and how help names them. */
  positionals: Array<{ name: string; description: string }>
  options: OptionSpec[]
  /** Paragraphs after the options (environment, credentials). */
  notes?: string
}

export const HELP_OPTION: OptionSpec = { name: 'help', short: 'h', description: 'show this help' }

export type Values = Record<string, string | boolean | undefined>

export type Parsed = { help: true } | { help: false; values: Values; positionals: string[] }

function optionsOf(spec: CommandSpec): OptionSpec[] {
  return [...spec.options, HELP_OPTION]
}

function wantsHelp(args: string[]): boolean {
  const end = args.indexOf('--')
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h')
}

function unknownOption(spec: CommandSpec, rawName: string): UsageError {
  const known = optionsOf(spec).map((o) => `--${o.name}`)
  const hint = rawName.startsWith('--') ? didYouMean(rawName, known) : undefined
  return new UsageError(
    `unknown option "${rawName}" for "socket-action ${spec.name}"${hint ? ` - ${hint}` : ''}`,
    spec.name,
  )
}

/** Parses `args` (after the command name) against the spec; every mistake is a UsageError naming the option. */
export function parseCommandArgs(spec: CommandSpec, args: string[]): Parsed {
  if (wantsHelp(args)) return { help: true }
  const declared = optionsOf(spec)
  const byName = new Map(declared.map((o) => [o.name, o]))
  const { tokens } = parseArgs({
    args,
    strict: false,
    allowPositionals: true,
    tokens: true,
    options: Object.fromEntries(
      declared.map((o) => [
        o.name,
        { type: o.value ? ('string' as const) : ('boolean' as const), ...(o.short ? { short: o.short } : {}) },
      ]),
    ),
  })
  const values: Values = {}
  const positionals: string[] = []
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value)
    if (token.kind !== 'option') continue
    const option = byName.get(token.name)
    if (!option) throw unknownOption(spec, token.rawName)
    if (option.value) {
      // `--stage --json`: the next option is not a value.
      if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-') && token.value.length > 1)) {
        throw new UsageError(`option --${option.name} needs a value: --${option.name} ${option.value}`, spec.name)
      }
      const previous = values[option.name]
      values[option.name] =
        option.repeatable && typeof previous === 'string' ? `${previous},${token.value}` : token.value
    } else {
      if (token.inlineValue)
        throw new UsageError(
          `option --${option.name} takes no value (got "${token.rawName}=${token.value}")`,
          spec.name,
        )
      values[option.name] = true
    }
  }
  if (positionals.length > spec.positionals.length) {
    const names = spec.positionals.map((p) => p.name)
    const takes =
      names.length === 0
        ? 'no arguments'
        : names.length === 1
          ? `one argument (${names[0]})`
          : `at most ${names.length} arguments (${names.join(' ')})`
    throw new UsageError(
      `"socket-action ${spec.name}" takes ${takes}, got ${positionals.length}: ${positionals.join(' ')}`,
      spec.name,
    )
  }
  return { help: false, values, positionals }
}

export function stringValue(values: Values, name: string): string | undefined {
  const v = values[name]
  return typeof v === 'string' ? v : undefined
}

export function flag(values: Values, name: string): boolean {
  return values[name] === true
}
