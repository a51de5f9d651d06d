// The --help texts, made from the command declarations so they cannot drift from what the parser accepts.
import { HELP_OPTION, type CommandSpec, type OptionSpec } from './args.ts'
import { EXIT_CODES_HELP } from './exit-codes.ts'

const COLUMN = 22
const WIDTH = 100

/** Words into lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  return [...lines, line]
}

/** A two-column row: the option or argument, and its description wrapped under the second column. */
function row(left: string, right: string): string {
  const indent = ' '.repeat(COLUMN)
  const [first = '', ...more] = wrap(right, WIDTH - COLUMN)
  const head = left.length + 2 >= COLUMN ? `  ${left}\n${indent}${first}` : `  ${left.padEnd(COLUMN - 2)}${first}`
  return [head, ...more.map((l) => `${indent}${l}`)].join('\n')
}

function optionLabel(o: OptionSpec): string {
  const long = `--${o.name}${o.value ? ` ${o.value}` : ''}`
  return o.short ? `-${o.short}, ${long}` : long
}

function optionRow(o: OptionSpec): string {
  return row(optionLabel(o), `${o.description}${o.default ? ` (default: ${o.default})` : ''}`)
}

/** `socket-action deploy --help`. */
export function commandHelp(spec: CommandSpec): string {
  const parts = [`Usage: socket-action ${spec.name} ${spec.synopsis}`, spec.description]
  if (spec.positionals.length)
    parts.push(['Arguments:', ...spec.positionals.map((p) => row(p.name, p.description))].join('\n'))
  parts.push(['Options:', ...[...spec.options, HELP_OPTION].map(optionRow)].join('\n'))
  if (spec.notes) parts.push(spec.notes)
  parts.push(EXIT_CODES_HELP)
  return `${parts.join('\n\n')}\n`
}

/** `socket-action --help`: every command in one line, and where to read more. */
export function overviewHelp(commands: CommandSpec[]): string {
  return `socket-action: ship a serverless WebSocket backend (API Gateway v2 + Lambda)

Usage: socket-action <command> [dir] [options]

Commands:
${commands.map((c) => row(c.name, c.summary)).join('\n')}

Run "socket-action <command> --help" for a command's options and defaults.

Options:
  -h, --help          show this help
  -v, --version       show the version

${EXIT_CODES_HELP}
`
}
