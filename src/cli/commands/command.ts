// What every `socket-action` command is: its declaration (parser and help) and what it does.
import type { CommandSpec, Values } from '../args.ts'

export interface Command {
  spec: CommandSpec
  /** Resolves to the exit code; throws for the caller to report (see exit-codes.ts). */
  run(values: Values, positionals: string[]): Promise<number>
}
