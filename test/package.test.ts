// The npm package as users get it: packed from what git tracks, installed from the tarball into an empty project
// (dependencies from the npm registry), then used the way the README says, on whichever node runs this test.
import assert from 'node:assert/strict'
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { scratchProject, startAwsBed } from './helpers/aws-bed.ts'
import { ask, connect } from './helpers/clients.ts'
import { packAndInstall, ROOT, run, userEnv, type Installed } from './helpers/package.ts'
import { runNode } from './helpers/processes.ts'

describe('the npm package, installed from its tarball', () => {
  let pkg: Installed
  before(async () => {
    pkg = await packAndInstall()
  })
  after(async () => {
    if (pkg) await rm(pkg.work, { recursive: true, force: true })
  })

  test('ships the compiled package only: no tests, no Action build, no TypeScript to compile at run time', async () => {
    assert.ok(pkg.packedBytes <= 300_000, `packed size ${pkg.packedBytes} bytes, over 300 kB`)
    const installed = path.join(pkg.app, 'node_modules/socket-action')
    const manifest = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8'))
    assert.equal(manifest.engines.node, '>=22')
    assert.equal(manifest.dependencies.tsx, undefined, 'tsx is a dev dependency')
    const { readdirSync } = await import('node:fs')
    const files = readdirSync(installed, { recursive: true }).map(String)
    assert.ok(!files.some((f) => f.startsWith('test')), 'no tests in the package')
    assert.ok(!files.includes(path.join('dist', 'index.js')), 'no Action build (dist/index.js) in the package')
    assert.ok(
      !files.some((f) => f.startsWith(path.join('dist', 'esbuild-wasm'))),
      'no esbuild-wasm copy in the package',
    )
    assert.ok(!files.some((f) => f.startsWith('src')), 'no TypeScript sources of the CLI')
    assert.match(
      await readFile(path.join(installed, 'LICENSE'), 'utf8'),
      /^MIT License\n\nCopyright \(c\) 2026 socket-action contributors\n/,
      'the MIT license ships in the tarball',
    )
  })

  test('npx socket-action --help exits 0', async () => {
    // npx itself (npm's npx-cli.js beside npm-cli.js), run by this node; the package is installed, so nothing is fetched.
    const npx = path.join(path.dirname(pkg.npm), 'npx-cli.js')
    const result = await run(process.execPath, [npx, 'socket-action', '--help'], { cwd: pkg.app })
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^Usage: socket-action /m)
    assert.match(result.stdout, /^ +dev +\S/m, 'the help lists dev')
    const version = await run(process.execPath, [pkg.bin, '--version'], { cwd: pkg.app })
    assert.equal(version.stdout.trim(), JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')).version)
  })

  test('import { on } from "socket-action" works in Node.js (the compiled module, not TypeScript)', async () => {
    const script = path.join(pkg.app, 'import-check.mjs')
    await writeFile(
      script,
      "import { on, GoneConnectionError } from 'socket-action'\nconsole.log(typeof on, typeof globalThis.on, new GoneConnectionError('x').name)\n",
    )
    const result = await run(process.execPath, [script], { cwd: pkg.app })
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout.trim(), 'function function GoneConnectionError')
  })

  for (const handler of ['socket.js', 'socket.ts'] as const) {
    test(`socket-action dev serves a folder with only a ${handler}, and a ws client gets its echo`, async () => {
      const dir = path.join(pkg.app, `only-${handler.replace('.', '-')}`)
      await mkdir(dir)
      if (handler === 'socket.js') await cp(path.join(ROOT, 'examples/echo/socket.js'), path.join(dir, 'socket.js'))
      else
        await writeFile(
          path.join(dir, 'socket.ts'),
          "import { on, type Socket } from 'socket-action'\n\non('message', async (data: unknown, socket: Socket) => {\n  await socket.send(data)\n})\n",
        )
      const child = runNode(pkg.bin, ['dev', dir, '--port', '0'], { cwd: pkg.app, env: userEnv() })
      try {
        let url: string | undefined
        for (let i = 0; i < 400 && !url; i++) {
          url = /WebSocket:\s+(ws:\/\/\S+)/.exec(child.stdout())?.[1]
          if (!url) await new Promise((r) => setTimeout(r, 25))
        }
        assert.ok(url, `no URL printed: ${child.stdout()}`)
        const client = await connect(url)
        assert.deepEqual(await ask(client, 'message', { from: handler }), { from: handler })
        client.ws.close()
        await client.closed
        // The playground's page ships in the package (dist/npm/src/dev/playground.html) and is served.
        const page = /playground:\s+(http:\/\/\S+)/.exec(child.stdout())?.[1]
        assert.ok(page, `no playground URL printed: ${child.stdout()}`)
        const answer = await fetch(page)
        assert.equal(answer.status, 200)
        assert.match(await answer.text(), /<title>socket-action dev playground<\/title>/)
      } finally {
        child.kill('SIGINT')
        const done = await child.done
        assert.equal(done.code, 0, done.stderr)
      }
    })
  }

  test('socket-action plan against moto exits 0 and prints a plan', async () => {
    const bed = await startAwsBed() // sets AWS_ENDPOINT_URL and test credentials in process.env
    const project = await scratchProject()
    try {
      const result = await runNode(pkg.bin, ['plan', '.', '--stage', 'pr-1'], { cwd: project.dir, env: userEnv() }).done
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stdout, /\+ function my-socket-pr-1/)
      assert.match(
        result.stdout,
        /Plan: \d+ to create, 0 to update, 0 to delete; the new version is smoke-tested before live moves to it\./,
      )
      assert.deepEqual(bed.shim.writes(), [], 'plan writes nothing')
    } finally {
      await project.remove()
      await bed.stop()
    }
  })

  // The consumer's TypeScript project: only the package and, as a Lambda author would have, @types/node (the repo's,
  // through typeRoots). One case checks the shipped .d.ts files themselves (skipLibCheck off, slower: it checks the AWS
  // SDK's types too). The SDK's types, which the package's reach through GoneConnectionError's module, need
  // @types/node; without it, skipLibCheck (tsc --init's default) is enough, which the last case checks.
  const withNode = { types: ['node'], typeRoots: [path.join(ROOT, 'node_modules/@types')], skipLibCheck: true }
  const consumers: Record<string, Record<string, unknown>> = {
    node16: { module: 'node16', ...withNode },
    nodenext: { module: 'nodenext', ...withNode },
    'bundler (esnext)': { module: 'esnext', moduleResolution: 'bundler', ...withNode },
    'bundler (preserve)': { module: 'preserve', moduleResolution: 'bundler', ...withNode },
    'nodenext, skipLibCheck off': { module: 'nodenext', ...withNode, skipLibCheck: false },
    'nodenext, no @types/node': { module: 'nodenext', types: [], skipLibCheck: true },
  }
  test('a TypeScript socket.ts type-checks with tsc under node16, nodenext and bundler resolution', async () => {
    const dir = path.join(pkg.app, 'typed')
    await mkdir(dir)
    await writeFile(
      path.join(dir, 'socket.ts'),
      [
        "import { on, GoneConnectionError, type Socket } from 'socket-action'",
        '',
        "on('connect', async (data) => (data.query.token ? 200 : 401))",
        "on('message', async (data: unknown, socket: Socket) => {",
        '  try {',
        '    await socket.send(data)',
        '  } catch (error) {',
        '    if (!(error instanceof GoneConnectionError)) throw error',
        '  }',
        '})',
        "on('default', async (data, socket) => {",
        '  const gone: string[] = await socket.broadcast(data, [socket.id])',
        '  // @ts-expect-error the handler is typed: a Socket has no such method',
        '  socket.nope()',
        '  return gone.length',
        '})',
        '// The global `on` of socket.js is typed as well.',
        "globalThis.on('disconnect', async ({ statusCode }) => void statusCode)",
        '',
      ].join('\n'),
    )
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc')
    const results = await Promise.all(
      Object.entries(consumers).map(async ([name, options]) => {
        const config = path.join(dir, `tsconfig.${name.replace(/\W+/g, '-')}.json`)
        const compilerOptions = { target: 'es2022', strict: true, noEmit: true, ...options }
        await writeFile(config, JSON.stringify({ compilerOptions, files: ['socket.ts'] }, null, 2))
        return { name, result: await run(process.execPath, [tsc, '-p', config], { cwd: dir }) }
      }),
    )
    for (const { name, result } of results)
      assert.equal(result.code, 0, `tsc (${name}) failed:\n${result.stdout}${result.stderr}`)
  })
})
