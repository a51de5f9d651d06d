// One hostile or broken project of the corpus (test/hostile-corpus.test.ts): the files it is made of, how the CLI is
// run on it, and what a user must see. Groups of cases live beside this file, one module per theme (*.cases.ts).

/** A file of the project: text or bytes, or something that is not a regular file. */
export type Entry =
  | string
  | Uint8Array
  | { symlink: string }
  | { fifo: true }
  | { dir: true }
  /** Omit a file the default project would have (socket.js). */
  | null

export interface HostileCase {
  /** What is hostile or broken about it, in a few words (the test's name). */
  name: string
  /**
   * Paths relative to the project folder. serverless.yml and socket.js default to a minimal valid project; a case
   * overrides either or adds more. `{dir}` in a symlink target is the project folder.
   */
  files: Record<string, Entry>
  /** The command line after `socket-action`; `{dir}` is the project folder (default: plan {dir} --stage corpus). */
  args?: string[]
  /** Extra environment. Values of names that start with SECRET_ must never be printed. */
  env?: Record<string, string>
  expect: {
    /** 2 = fix the input (what every rejected input gets); 1 = the command failed. */
    exit: number
    /** What the error must say, the fix included. */
    message: RegExp
    /**
     * Where it must point: `serverless.yml:4` (a line of a project file) or the option it is about (`--region`).
     * A location in a file is checked as `<path>:<line>:` in the output.
     */
    at: string
  }
}

/** The planted secret every case runs with, referenced or not: it must never reach any output. */
export const PLANTED_SECRET = 'hs-7f3a9c-planted-secret-Zq9x'

export const SOCKET_JS = "on('message', async (data, socket) => {\n  await socket.send(data)\n})\n"

/** A serverless.yml of one socket component whose inputs are the given YAML lines (indented by the caller: 4). */
export function withInputs(lines: string): string {
  return `Socket:\n  component: "@serverless/socket"\n  inputs:\n${lines}`
}
