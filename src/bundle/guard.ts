// What esbuild may read while bundling socket.js: files inside the project, that are regular files of UTF-8 text.
// Checked before esbuild opens them, so a hostile or broken import is named with its line and never read: an absolute
// path or one that climbs out of the project (esbuild would read /etc/passwd, and quote it in a parse error), a FIFO
// (the read would never end), a binary or Latin-1 file, a native addon.
import { existsSync } from 'node:fs'
import { readFile, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import { builtinModules, isBuiltin } from 'node:module'
import type * as esbuild from 'esbuild'
import { didYouMean } from '../config/suggest.ts'
import { firstInvalidUtf8, lineAndColumn } from '../config/utf8.ts'
import { isDependency } from './sourcemap.ts'

/** Node.js's modules, as an import may name them (`fs`, `node:fs`). */
export const BUILTINS = builtinModules.filter((m) => !m.startsWith('_'))

/** Set on the resolutions the guard asks esbuild for, so it does not check them again. */
const GUARDED = Symbol('socket-action-guard')

/** Git reads this much of a file to tell text from binary; so do we. */
const BINARY_SNIFF_BYTES = 8000

/**
 * The folder imports must stay in: the git repository that holds the code folder (what CI checks out, so a monorepo's
 * shared folders and hoisted node_modules are inside), else the code folder itself.
 */
export async function projectRoot(codeDir: string): Promise<string> {
  for (let dir = codeDir; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return realpathOr(dir)
    if (path.dirname(dir) === dir) return realpathOr(codeDir)
  }
}

async function realpathOr(p: string): Promise<string> {
  try {
    return await realpath(p)
  } catch {
    return path.resolve(p)
  }
}

export function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

const isPath = (spec: string) => spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..'
const isAbsolute = (spec: string) => path.isAbsolute(spec) || /^[A-Za-z]:[\\/]/.test(spec)
const climbs = (spec: string) => spec.split(/[\\/]/).includes('..')

/** The package a bare import names: `lodash` for `lodash/fp`, `@scope/pkg` for `@scope/pkg/x`. */
export function packageOf(spec: string): string {
  return spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!
}

/** Native addons compile for one platform; Lambda runs Linux, and the bundle cannot carry them anyway. */
export function nativeAddonMessage(what: string): string {
  return (
    `imports a native addon (${what}), which cannot be bundled: esbuild cannot inline compiled code, and Lambda runs ` +
    `Linux, so an addon built on this machine may not load there - use a pure-JavaScript (or WebAssembly) package instead, e.g. bcryptjs for bcrypt`
  )
}

/** Where `file` is, relative to the project root when it is inside it. */
function shown(file: string, root: string): string {
  return isInside(file, root) ? path.relative(root, file) || '.' : file
}

export function guardPlugin(root: string, external: string[]): esbuild.Plugin {
  const isExternal = (spec: string) =>
    external.some((e) => (e.endsWith('/*') ? spec.startsWith(e.slice(0, -1)) : spec === e))
  return {
    name: 'socket-action-guard',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        // Only what the user's own files import: packages resolve their own imports (npm put them there).
        if (args.pluginData === GUARDED || args.namespace !== 'file' || isDependency(args.importer)) return undefined
        const spec = args.path
        if (isAbsolute(spec)) {
          return fail(
            `"${spec}" is an absolute path: imports must stay inside the project (${root}), and an absolute path works only on this machine - copy the file into the project and import it with a relative path`,
          )
        }
        const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(spec)?.[1]?.toLowerCase()
        if (scheme === 'file')
          return fail(
            `"${spec}" is a file: URL: imports must stay inside the project (${root}) - import the file with a relative path`,
          )
        if (scheme !== undefined && scheme !== 'node' && scheme !== 'data') {
          return fail(
            `"${spec}" is a URL: the bundle cannot fetch it, and Lambda's require() cannot load it - install the package from npm and import it by name, or copy the file into the project`,
          )
        }
        if (packageOf(spec) === 'socket-action' && spec !== 'socket-action') {
          return fail(
            `"${spec}" is not part of socket-action - import from "socket-action" itself: import { on } from 'socket-action'`,
          )
        }
        const importer = shown(args.importer, root)
        if (spec.endsWith('.node')) return fail(`${importer} ${nativeAddonMessage(spec)}`)
        if (spec.startsWith('node:') && !isBuiltin(spec)) {
          const hint = didYouMean(spec.slice('node:'.length), BUILTINS)
          return fail(
            `"${spec}" is not a Node.js built-in module - ${hint ? hint.replace(/"([^"]+)"/g, '"node:$1"') : 'check the name against the Node.js documentation'}`,
          )
        }
        if (!isPath(spec) && !climbs(spec)) return undefined
        if (isExternal(spec)) return undefined
        const resolved = await build.resolve(spec, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: GUARDED,
        })
        // Not found: esbuild's own resolution reports it (explain.ts words it).
        if (resolved.errors.length > 0 || resolved.namespace !== 'file') return undefined
        const real = await realpathOr(resolved.path)
        if (!isInside(real, root)) {
          return fail(
            `"${spec}" leads outside the project (to ${real}): imports must stay inside ${root} - move the file into the project and import it from there`,
          )
        }
        const { errors: _e, warnings: _w, ...result } = resolved
        return result
      })
      build.onLoad({ filter: /.*/ }, async (args) => {
        if (args.namespace !== 'file') return undefined
        // Every file, a package's too, is checked to be a regular file first: reading a FIFO never ends.
        const problem =
          (await notARegularFile(args.path)) ?? (isDependency(args.path) ? undefined : await notSourceText(args.path))
        if (!problem) return undefined
        const name = shown(args.path, root)
        return {
          errors: [
            {
              text: `${name} ${problem.message}`,
              location: { file: args.path, line: problem.line, column: problem.column - 1 },
            },
          ],
        }
      })
    },
  }
}

function fail(text: string): esbuild.OnResolveResult {
  return { errors: [{ text }] }
}

interface Problem {
  message: string
  line: number
  column: number
}

/** Why esbuild must not open a file: it is not a regular file (a FIFO would block the read forever). */
async function notARegularFile(file: string): Promise<Problem | undefined> {
  const st = await stat(file)
  if (st.isFile()) return undefined
  const kind = st.isFIFO() ? 'a FIFO (named pipe)' : st.isDirectory() ? 'a folder' : 'a device or socket'
  return { message: `is ${kind}, not a regular file - import a source file instead`, line: 1, column: 1 }
}

/** Why a regular file cannot be bundled as source text, and where; undefined if it can. */
export async function notSourceText(file: string): Promise<Problem | undefined> {
  const bytes = await readFile(file)
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    return {
      message: 'is UTF-16 text (it starts with a UTF-16 byte order mark) - save the file as UTF-8',
      line: 1,
      column: 1,
    }
  const nul = bytes.subarray(0, BINARY_SNIFF_BYTES).indexOf(0)
  if (nul !== -1) {
    return {
      message:
        'is a binary file (it has a NUL byte), not source code - socket.js and the files it imports must be JavaScript, TypeScript or JSON text',
      ...lineAndColumn(bytes, nul),
    }
  }
  const bad = firstInvalidUtf8(bytes)
  if (bad !== -1) {
    const byte = bytes[bad]!.toString(16).toUpperCase().padStart(2, '0')
    return {
      message: `is not UTF-8 text: the byte 0x${byte} here is not valid UTF-8 (a Latin-1 or Windows-1252 file?), and the bundle would turn it into "\uFFFD" - save the file as UTF-8`,
      ...lineAndColumn(bytes, bad),
    }
  }
  return undefined
}
