// Source maps: a handler's error names socket.js and the line it was thrown on, in the deployed function's logs (the
// built zip run as Lambda runs it), in `socket-action dev`'s logs, and in the gateway's line for the client's error frame.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { unzipSync } from 'fflate'
import { BUNDLE_FILE, bundleSocket, HANDLER_FILE, RUNTIME_DIR, type SourceMapLayout } from '../src/bundle/build.ts'
import {
  decodeMappings,
  encodeMappings,
  restrictSourceMap,
  stackOrigin,
  type RawSourceMap,
} from '../src/bundle/sourcemap.ts'
import { startDev, type DevServer } from '../src/dev/serve.ts'
import { connect } from './helpers/clients.ts'
import { extractZip, runZip } from './helpers/lambda-zip.ts'

const ROOT = path.resolve(import.meta.dirname, '..')

// The lines the fixture throws on (1-based), and the columns of the `throw`/call expressions V8 reports.
const SOCKET_JS = `// a socket.js whose routes fail in three ways
import { explode } from 'thrower'
import { fail } from './lib/fail.js'

on('ok', async () => 'fine')

on('boom', async (data) => {
  throw new Error('boom ' + data.n)
})

on('deep', async () => fail('deep'))

on('dependency', async () => {
  return explode()
})
`
const BOOM = 'socket.js:8:9'
const DEEP = ['lib/fail.js:3:39', 'socket.js:11:24']
const DEPENDENCY = 'socket.js:14:10'
const LIB_FAIL_JS = `// a helper in the user's own folder

export const fail = (what) => { throw new TypeError(what) }
`
const THROWER = `exports.explode = function explode() {\n  throw new RangeError('from a dependency')\n}\n`

/** A code folder with socket.js, a local helper, a dependency in node_modules, and a serverless.yml for dev. */
function fixture(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'socket-action-maps-'))
  writeFileSync(path.join(dir, 'socket.js'), SOCKET_JS)
  mkdirSync(path.join(dir, 'lib'))
  writeFileSync(path.join(dir, 'lib/fail.js'), LIB_FAIL_JS)
  mkdirSync(path.join(dir, 'node_modules/thrower'), { recursive: true })
  writeFileSync(path.join(dir, 'node_modules/thrower/index.js'), THROWER)
  writeFileSync(path.join(dir, 'node_modules/thrower/package.json'), '{"name":"thrower","main":"index.js"}\n')
  writeFileSync(
    path.join(dir, 'serverless.yml'),
    'name: maps-fixture\nstage: test\n\nSocket:\n  component: "@serverless/socket"\n  inputs:\n    timeout: 5\n',
  )
  return dir
}

const frames = (stack: string | undefined) => (stack ?? '').split('\n').filter((l) => l.trim().startsWith('at '))

describe('the source map in the zip', () => {
  let dir: string
  before(() => (dir = fixture()))
  after(() => rmSync(dir, { recursive: true, force: true }))

  test('names sources relative to the bundle: the user files and the runtime (virtual), no dependency, no machine path', async () => {
    const bundle = await bundleSocket(path.join(dir, 'socket.js'))
    const files = unzipSync(bundle.zip)
    assert.deepEqual(Object.keys(files), [HANDLER_FILE, BUNDLE_FILE, `${BUNDLE_FILE}.map`])
    const map = JSON.parse(new TextDecoder().decode(files[`${BUNDLE_FILE}.map`])) as RawSourceMap
    assert.equal(map.file, BUNDLE_FILE)
    assert.equal(map.sourcesContent, undefined, 'no source text in the zip')
    assert.ok(map.sources.includes('socket.js') && map.sources.includes('lib/fail.js'), map.sources.join(', '))
    assert.ok(map.sources.includes('socket-action-runtime:handler.ts'), map.sources.join(', '))
    for (const source of map.sources) {
      assert.ok(!path.isAbsolute(source) && !source.startsWith('..'), `relative source: ${source}`)
      assert.ok(!source.includes('node_modules'), `dependencies are left out of the map: ${source}`)
    }
    for (const [name, data] of [...Object.entries(files), ['dev code', bundle.code] as const]) {
      const text = new TextDecoder().decode(data)
      for (const machinePath of [dir, ROOT, RUNTIME_DIR, tmpdir()])
        assert.ok(!text.includes(machinePath), `${name} contains ${machinePath}`)
    }
  })

  test('the same code in another folder gives the same zip', async () => {
    const other = fixture()
    try {
      const [a, b] = await Promise.all([
        bundleSocket(path.join(dir, 'socket.js')),
        bundleSocket(path.join(other, 'socket.js')),
      ])
      assert.equal(a.sha256, b.sha256)
    } finally {
      rmSync(other, { recursive: true, force: true })
    }
  })

  test("esbuild-wasm (the Action's esbuild) builds the same zip, map included", async () => {
    const wasm = await import('esbuild-wasm')
    const [native, viaWasm] = await Promise.all([
      bundleSocket(path.join(dir, 'socket.js')),
      bundleSocket(path.join(dir, 'socket.js'), { esbuild: wasm }),
    ])
    assert.equal(viaWasm.sha256, native.sha256)
  })

  test("decoding and re-encoding esbuild's mappings gives the same text; keeping every source keeps the map", async () => {
    const bundle = await bundleSocket(path.join(dir, 'socket.js'), {
      sourceMap: { map: 'external', scope: 'all', loader: false },
    })
    const map = JSON.parse(new TextDecoder().decode(unzipSync(bundle.zip)[`${HANDLER_FILE}.map`])) as RawSourceMap
    assert.ok(
      map.sources.some((s) => s.includes('node_modules/thrower')),
      'scope "all" keeps dependencies',
    )
    assert.equal(encodeMappings(decodeMappings(map.mappings)), map.mappings)
    const same = restrictSourceMap(map, () => true)
    assert.deepEqual(same.sources, map.sources)
    assert.equal(same.mappings, map.mappings)
  })
})

describe('the deployed function (the built zip, required by a fresh node as Lambda does)', () => {
  let dir: string
  let task: string
  before(async () => {
    dir = fixture()
    task = extractZip((await bundleSocket(path.join(dir, 'socket.js'))).zip)
  })
  after(() => {
    rmSync(dir, { recursive: true, force: true })
    rmSync(task, { recursive: true, force: true })
  })

  test('the logged error (CloudWatch) and the rethrown one name socket.js:LINE, without NODE_OPTIONS', () => {
    const run = runZip(task, ['ok', 'boom'])
    assert.equal(run.invocations[0]!.error, undefined)
    assert.equal(run.logged.length, 1)
    const line = JSON.parse(run.logged[0]!)
    assert.equal(line.message, 'socket-action: handler failed')
    assert.equal(line.route, 'boom')
    assert.match(frames(line.error.stack)[0]!, new RegExp(`\\(${task}/${BOOM}\\)$`), line.error.stack)
    assert.match(frames(run.invocations[1]!.error!.stack)[0]!, new RegExp(`${task}/${BOOM}\\)$`))
  })

  test("a helper's frame names its own file; code in a dependency stays on the bundle's line and is never mis-mapped", () => {
    const run = runZip(task, ['deep', 'dependency'])
    const deep = frames(run.invocations[0]!.error!.stack)
    assert.match(deep[0]!, new RegExp(`${task}/${DEEP[0]}\\)$`), deep.join('\n'))
    assert.match(deep[1]!, new RegExp(`${task}/${DEEP[1]}\\)$`), deep.join('\n'))
    const dependency = frames(run.invocations[1]!.error!.stack)
    assert.match(
      dependency[0]!,
      new RegExp(`at explode \\(${task}/${BUNDLE_FILE}:\\d+:\\d+\\)$`),
      dependency.join('\n'),
    )
    assert.match(dependency[1]!, new RegExp(`${task}/${DEPENDENCY}\\)$`), dependency.join('\n'))
  })

  test('the loader index.js exports `handler` to import() too (a runtime that loads the handler as ESM)', () => {
    const script = `const m = await import(${JSON.stringify(path.join(task, HANDLER_FILE))}); console.log(typeof m.handler)`
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    })
    assert.equal(out.stdout.trim(), 'function', out.stderr)
  })

  test('without a source map the same error points into the bundle (the check above can fail)', async () => {
    const plain: SourceMapLayout = { map: 'none', scope: 'all', loader: false }
    const unmapped = extractZip((await bundleSocket(path.join(dir, 'socket.js'), { sourceMap: plain })).zip)
    try {
      const stack = runZip(unmapped, ['boom']).invocations[0]!.error!.stack
      assert.match(frames(stack)[0]!, new RegExp(`at ${unmapped}/${HANDLER_FILE}:\\d+:9$`))
      assert.doesNotMatch(stack, /socket\.js/)
    } finally {
      rmSync(unmapped, { recursive: true, force: true })
    }
  })
})

describe('socket-action dev', () => {
  let dir: string
  let server: DevServer
  const lines: string[] = []
  const stderr: string[] = []
  const write = process.stderr.write
  before(async () => {
    dir = fixture()
    // The Lambda worker's console.error reaches this process's stderr, as the function's would reach CloudWatch.
    process.stderr.write = ((chunk: string | Uint8Array) => {
      stderr.push(chunk.toString())
      return true
    }) as typeof process.stderr.write
    server = await startDev({ configFile: path.join(dir, 'serverless.yml'), port: 0, log: (l) => lines.push(l) })
  })
  after(async () => {
    process.stderr.write = write
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  async function fail(route: string): Promise<{ logLine: string; logged: any }> {
    const client = await connect(server.url)
    client.send({ route, data: { n: 1 } })
    const frame = await client.next()
    client.ws.close()
    assert.equal(frame.message, 'Internal server error')
    const id: string = frame.connectionId
    const logLine = lines.find((l) => l.includes(id) && l.includes(' error '))
    assert.ok(logLine, `a gateway line for ${id} in:\n${lines.join('\n')}`)
    for (let i = 0; i < 100 && !stderr.join('').includes(id); i++) await new Promise((r) => setTimeout(r, 20))
    const json = stderr
      .join('')
      .split('\n')
      .find((l) => l.includes(id) && l.includes('handler failed'))
    assert.ok(json, `the runtime's JSON line for ${id} on stderr`)
    return { logLine, logged: JSON.parse(json) }
  }

  test("the runtime's logged error and the gateway's line for the client's error frame name socket.js:LINE", async () => {
    const { logLine, logged } = await fail('boom')
    assert.match(logLine, new RegExp(`error .*  Error: boom 1 \\(${BOOM}\\)$`))
    assert.match(frames(logged.error.stack)[0]!, new RegExp(`\\(${dir}/${BOOM}\\)$`), logged.error.stack)
  })

  test("an error thrown in a helper names the helper's file; one thrown in a dependency names the user's call", async () => {
    assert.match((await fail('deep')).logLine, new RegExp(`TypeError: deep \\(${DEEP[0]}\\)$`))
    const dependency = await fail('dependency')
    assert.match(dependency.logLine, new RegExp(`RangeError: from a dependency \\(${DEPENDENCY}\\)$`))
    assert.match(
      frames(dependency.logged.error.stack)[0]!,
      new RegExp(`at explode \\(${dir}/${HANDLER_FILE}:\\d+:\\d+\\)$`),
    )
  })
})

test('an error while socket.js loads (init) names socket.js:LINE, deployed and in dev', async () => {
  const dir = fixture()
  let task: string | undefined
  try {
    writeFileSync(path.join(dir, 'socket.js'), "on('ok', async () => 'fine')\n\nthrow new Error('cannot start')\n")
    task = extractZip((await bundleSocket(path.join(dir, 'socket.js'))).zip)
    assert.throws(
      () => runZip(task!, ['ok']),
      (e: Error) => e.message.includes(`Error: cannot start\n    at Object.<anonymous> (${task}/socket.js:3:7)`),
    )

    const lines: string[] = []
    const server = await startDev({ configFile: path.join(dir, 'serverless.yml'), port: 0, log: (l) => lines.push(l) })
    await server.close()
    const init = lines.find((l) => l.startsWith('function failed to initialize'))
    assert.match(init ?? lines.join('\n'), new RegExp(`Error: cannot start\n    at .*(${dir}/socket.js:3:7)`))
  } finally {
    rmSync(dir, { recursive: true, force: true })
    if (task) rmSync(task, { recursive: true, force: true })
  }
})

test('restrictSourceMap: a run of dropped code starts with one source-less segment, also on a later line', () => {
  // line 0: kept (source 0) then dropped (source 1); line 1: dropped only; line 2: kept, then dropped, dropped.
  const lines = [
    [
      [0, 0, 0, 0],
      [10, 1, 0, 0],
    ],
    [[0, 1, 1, 0]],
    [
      [0, 0, 1, 0, 0],
      [4, 1, 2, 0],
      [8, 1, 2, 4],
    ],
    [[0, 1, 3, 0]],
  ]
  const map: RawSourceMap = {
    version: 3,
    sources: ['socket.js', 'node_modules/x/i.js'],
    names: ['on'],
    mappings: encodeMappings(lines),
  }
  const restricted = restrictSourceMap(map, (s) => !s.includes('node_modules'))
  assert.deepEqual(restricted.sources, ['socket.js'])
  assert.deepEqual(restricted.names, ['on'])
  assert.deepEqual(decodeMappings(restricted.mappings), [[[0, 0, 0, 0], [10]], [], [[0, 0, 1, 0, 0], [4]], []])
  // Dropped code that follows dropped code on a new line, after kept code on an earlier line, still gets its terminator.
  const later = encodeMappings([[[0, 0, 0, 0]], [[0, 1, 0, 0]]])
  assert.deepEqual(decodeMappings(restrictSourceMap({ ...map, mappings: later }, (s) => s === 'socket.js').mappings), [
    [[0, 0, 0, 0]],
    [[0]],
  ])
})

test('stackOrigin: the first frame in the user code, relative to the code folder', () => {
  const stack = [
    'Error: x',
    '    at explode (/app/index.js:20:9)',
    '    at thing (/app/node_modules/pkg/a.js:1:1)',
    '    at handle (socket-action-runtime:handler.ts:81:32)',
    '    at node:internal/process/task_queues:105:5',
    '    at async <anonymous> (/app/lib/a b.js:3:4)',
    '    at /app/socket.js:1:2',
  ].join('\n')
  assert.equal(stackOrigin(stack, '/app', '/app/index.js'), 'lib/a b.js:3:4')
  assert.equal(stackOrigin('Error: x\n    at /app/socket.js:7:1', '/app', '/app/index.js'), 'socket.js:7:1')
  assert.equal(stackOrigin('Error: x\n    at run (/app/index.js:7:1)', '/app', '/app/index.js'), undefined)
  assert.equal(stackOrigin(undefined, '/app', '/app/index.js'), undefined)
})
