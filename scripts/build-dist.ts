// Builds dist/: the Action as one file (ncc), plus what cannot be inlined: runtime/ (bundled with each user's
// socket.js at deploy time) and esbuild-wasm (a WebAssembly esbuild: no native binary, so any runner can bundle).
// Also dist/npm/: the npm package's JavaScript and .d.ts files (tsc; see src/cli/tsconfig.npm.json).
// Nothing goes under a node_modules/ folder: .gitignore rules and runners that copy a local action drop those.
import { execFileSync } from 'node:child_process'
import { chmodSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const root = path.join(import.meta.dirname, '..')
const dist = path.join(root, 'dist')
const require = createRequire(import.meta.url)

rmSync(dist, { recursive: true, force: true })
execFileSync(
  process.execPath,
  [
    require.resolve('@vercel/ncc/dist/ncc/cli.js'),
    'build',
    'src/action/index.ts',
    '-o',
    'dist',
    '-e',
    'esbuild',
    '--license',
    'licenses.txt',
    '--no-source-map-register',
    '--quiet',
  ],
  { cwd: root, stdio: 'inherit' },
)
// ncc copies files it thinks are assets; runtime/ is copied whole below instead.
for (const file of readdirSync(dist))
  if (file.startsWith('runtime') && file.endsWith('.ts')) rmSync(path.join(dist, file))

mkdirSync(path.join(dist, 'runtime'))
for (const file of readdirSync(path.join(root, 'runtime')))
  cpSync(path.join(root, 'runtime', file), path.join(dist, 'runtime', file))

const wasm = path.dirname(require.resolve('esbuild-wasm/package.json'))
const target = path.join(dist, 'esbuild-wasm')
for (const file of [
  'package.json',
  'LICENSE.md',
  'esbuild.wasm',
  'wasm_exec.js',
  'wasm_exec_node.js',
  'bin/esbuild',
  'lib/main.js',
]) {
  mkdirSync(path.dirname(path.join(target, file)), { recursive: true })
  cpSync(path.join(wasm, file), path.join(target, file))
}

// The npm package (`bin` and `exports` of package.json point here): the CLI and the `socket-action` module compiled to
// JavaScript, so nothing compiles TypeScript at run time, laid out like the repository (dist/npm/src, dist/npm/runtime).
const npm = path.join(dist, 'npm')
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'src/cli/tsconfig.npm.json'], {
  cwd: root,
  stdio: 'inherit',
})
for (const entry of readdirSync(npm, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue
  const file = path.join(entry.parentPath, entry.name)
  // Only the `socket-action` module's types are reachable (through `exports`); the CLI's internals need none.
  if (!file.startsWith(path.join(npm, 'runtime') + path.sep)) {
    rmSync(file)
    continue
  }
  // tsc rewrites `./x.ts` to `./x.js` in JavaScript only; in .d.ts files a `.ts` path needs allowImportingTsExtensions
  // in the consumer's tsconfig (TS5097), so rewrite them the same way.
  const text = readFileSync(file, 'utf8')
  writeFileSync(file, text.replace(/((?:from|import)\s*\(?\s*)(['"])(\.\.?\/[^'"]*)\.ts\2/g, '$1$2$3.js$2'))
}
// The bundler (dist/npm/src/bundle/build.js) reads runtime/'s TypeScript sources to bundle them with each socket.js; it
// looks for them in ./runtime/ beside itself, as dist/index.js does (dist/npm/runtime/ is the compiled module).
mkdirSync(path.join(npm, 'src/bundle/runtime'))
for (const file of readdirSync(path.join(root, 'runtime')))
  cpSync(path.join(root, 'runtime', file), path.join(npm, 'src/bundle/runtime', file))
// The playground's page (src/dev/playground.ts reads it beside itself): one static file tsc does not copy.
cpSync(path.join(root, 'src/dev/playground.html'), path.join(npm, 'src/dev/playground.html'))
// tsc copies package.json whole (src/version.ts imports it): keep only what the compiled code reads.
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }
writeFileSync(path.join(npm, 'package.json'), `${JSON.stringify({ version, type: 'module' }, null, 2)}\n`)
chmodSync(path.join(npm, 'src/cli/index.js'), 0o755)
console.log('dist/ built')
