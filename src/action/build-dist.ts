// Builds dist/: the Action as one file (ncc), plus what cannot be inlined: runtime/ (bundled with each user's
// socket.js at deploy time) and esbuild-wasm (a WebAssembly esbuild: no native binary, so any runner can bundle).
// Nothing goes under a node_modules/ folder: .gitignore rules and runners that copy a local action drop those.
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const root = path.join(import.meta.dirname, '../..')
const dist = path.join(root, 'dist')
const require = createRequire(import.meta.url)

rmSync(dist, { recursive: true, force: true })
execFileSync(
  process.execPath,
  [require.resolve('@vercel/ncc/dist/ncc/cli.js'), 'build', 'src/action/index.ts', '-o', 'dist', '-e', 'esbuild', '--license', 'licenses.txt', '--no-source-map-register', '--quiet'],
  { cwd: root, stdio: 'inherit' },
)
// ncc copies files it thinks are assets; runtime/ is copied whole below instead.
for (const file of readdirSync(dist)) if (file.startsWith('runtime') && file.endsWith('.ts')) rmSync(path.join(dist, file))

mkdirSync(path.join(dist, 'runtime'))
for (const file of readdirSync(path.join(root, 'runtime'))) cpSync(path.join(root, 'runtime', file), path.join(dist, 'runtime', file))

const wasm = path.dirname(require.resolve('esbuild-wasm/package.json'))
const target = path.join(dist, 'esbuild-wasm')
for (const file of ['package.json', 'LICENSE.md', 'esbuild.wasm', 'wasm_exec.js', 'wasm_exec_node.js', 'bin/esbuild', 'lib/main.js']) {
  mkdirSync(path.dirname(path.join(target, file)), { recursive: true })
  cpSync(path.join(wasm, file), path.join(target, file))
}
console.log('dist/ built')
