// The bundle: one deterministic CommonJS handler, user dependencies inlined, the AWS SDK left to the Lambda runtime.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, test } from 'node:test'
import { BUNDLE_FILE, BundleError, bundleSocket, HANDLER_FILE, watchSocket } from '../src/bundle/build.ts'
import { firstInvalidUtf8 } from '../src/config/utf8.ts'
import { codeSha256, zip } from '../src/bundle/zip.ts'

const FIXTURES = path.join(import.meta.dirname, 'fixtures/socket')
const ECHO = path.join(import.meta.dirname, '../examples/echo/socket.js')

describe('bundle', () => {
  test('the same inputs give the same bytes and sha256, in any folder', async () => {
    const first = await bundleSocket(ECHO)
    const second = await bundleSocket(ECHO)
    assert.equal(first.sha256, second.sha256)
    assert.ok(first.zip.equals(second.zip))

    const elsewhere = await mkdtemp(path.join(tmpdir(), 'socket-action-bundle-'))
    try {
      await cp(path.dirname(ECHO), elsewhere, { recursive: true })
      const moved = await bundleSocket(path.join(elsewhere, 'socket.js'))
      assert.equal(moved.sha256, first.sha256, 'no machine-specific path may reach the bundle')
    } finally {
      await rm(elsewhere, { recursive: true, force: true })
    }
  })

  test('sha256 is the base64 sha256 of the zip, as Lambda reports CodeSha256', async () => {
    const bundle = await bundleSocket(ECHO)
    const expected = execFileSync(
      'python3',
      [
        '-c',
        'import sys,hashlib,base64; print(base64.b64encode(hashlib.sha256(sys.stdin.buffer.read()).digest()).decode())',
      ],
      { input: bundle.zip },
    )
      .toString()
      .trim()
    assert.equal(bundle.sha256, expected)
  })

  test('the zip is a valid archive of the loader, the bundle and its source map, read back byte for byte by another implementation', async () => {
    const bundle = await bundleSocket(ECHO)
    const listing = execFileSync(
      'python3',
      [
        '-c',
        `
import sys, zipfile, io, json
z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
assert z.testzip() is None
print(json.dumps([{"name": i.filename, "date": list(i.date_time), "mode": oct(i.external_attr >> 16), "body": z.read(i).decode()} for i in z.infolist()]))
`,
      ],
      { input: bundle.zip },
    )
    const read = JSON.parse(listing.toString()) as Array<{ name: string; date: number[]; mode: string; body: string }>
    assert.deepEqual(
      read.map((f) => f.name),
      [HANDLER_FILE, BUNDLE_FILE, `${BUNDLE_FILE}.map`],
    )
    for (const [i, file] of read.entries()) {
      assert.deepEqual(file.date, [1980, 1, 1, 0, 0, 0])
      assert.equal(file.mode, '0o100644')
      assert.equal(file.body, Buffer.from(bundle.files[i]!.data).toString())
    }
  })

  test('zip entries keep their order and content', () => {
    const archive = zip([
      { name: 'a.txt', data: Buffer.from('alpha') },
      { name: 'b/c.txt', data: Buffer.from('') },
    ])
    const names = execFileSync(
      'python3',
      ['-c', 'import sys,zipfile,io; print(",".join(zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read())).namelist()))'],
      { input: archive },
    )
    assert.equal(names.toString().trim(), 'a.txt,b/c.txt')
    assert.equal(
      codeSha256(archive),
      codeSha256(
        zip([
          { name: 'a.txt', data: Buffer.from('alpha') },
          { name: 'b/c.txt', data: Buffer.from('') },
        ]),
      ),
    )
  })

  test('the zip is the same in every time zone (the DOS timestamp is written from local time)', () => {
    const script = `import { codeSha256, zip } from ${JSON.stringify(path.join(import.meta.dirname, '../src/bundle/zip.ts'))}
console.log(codeSha256(zip([{ name: 'index.js', data: Buffer.from('hello') }])))`
    const shas = ['UTC', 'America/New_York', 'Pacific/Kiritimati', 'Australia/Sydney'].map((TZ) =>
      execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        env: { ...process.env, TZ },
      })
        .toString()
        .trim(),
    )
    assert.equal(new Set(shas).size, 1, shas.join(' '))
  })

  test('an entry name that an object would reorder, or a repeated one, is refused', () => {
    assert.throws(
      () =>
        zip([
          { name: 'a', data: Buffer.from('') },
          { name: '1', data: Buffer.from('') },
        ]),
      /would not keep its place/,
    )
    assert.throws(
      () =>
        zip([
          { name: 'a', data: Buffer.from('') },
          { name: 'a', data: Buffer.from('') },
        ]),
      /given twice/,
    )
  })

  test('user dependencies are inlined; @aws-sdk/* stays external for the Lambda runtime', async () => {
    const bundle = await bundleSocket(path.join(FIXTURES, 'good/with-dependency/socket.js'))
    const code = Buffer.from(bundle.code).toString()
    assert.match(code, /padStart\(width, "\."\)/, 'left-pad-lite is inlined')
    assert.match(code, /require\("@aws-sdk\/client-dynamodb"\)/)
    assert.match(code, /require\("@aws-sdk\/client-apigatewaymanagementapi"\)/)
    assert.ok(
      bundle.inputs.some((f) => f.endsWith(path.join('lib', 'format.js'))),
      'imports are reported for watching',
    )
  })

  test('socket.ts with `import { on } from "socket-action"` bundles without installing the package', async () => {
    const bundle = await bundleSocket(path.join(FIXTURES, 'good/typescript/socket.ts'))
    const code = Buffer.from(bundle.code).toString()
    assert.match(code, /toUpperCase/)
    assert.doesNotMatch(code, /interface Chat/)
  })
})

describe('bad socket.js corpus', async () => {
  const root = path.join(FIXTURES, 'bad')
  for (const name of (await readdir(root)).sort()) {
    test(name, async () => {
      const dir = path.join(root, name)
      const expected = (await readFile(path.join(dir, 'expected.txt'), 'utf8')).trim()
      const error = await bundleSocket(path.join(dir, 'socket.js')).then(
        () => assert.fail('bundling should fail'),
        (e: unknown) => e,
      )
      assert.ok(error instanceof BundleError)
      assert.equal(error.message.replaceAll(dir, '<CASE>'), expected)
    })
  }
})

test('a bundle error names the file and line for the editor', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'socket-action-bad-'))
  try {
    await writeFile(path.join(dir, 'socket.js'), "on('x', async () => {\n\n  const = 1\n})\n")
    const error = (await bundleSocket(path.join(dir, 'socket.js')).catch((e) => e)) as BundleError
    assert.equal(error.diagnostics[0]?.line, 3)
    assert.equal(error.diagnostics[0]?.column, 9)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

describe('what the bundle may read', () => {
  /** A scratch folder with the given files; removed after `use`. */
  async function withFiles(files: Record<string, string>, use: (dir: string) => Promise<void>): Promise<void> {
    const dir = await mkdtemp(path.join(tmpdir(), 'socket-action-guard-'))
    try {
      for (const [name, text] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(dir, name)), { recursive: true })
        await writeFile(path.join(dir, name), text)
      }
      await use(dir)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
  const ECHO_JS = "on('message', async (data, socket) => {\n  await socket.send(data)\n})\n"
  const messages = (error: unknown) => (error as BundleError).diagnostics.map((d) => d.message)

  test('circular imports bundle (a cycle is not an error)', async () => {
    await withFiles(
      {
        'socket.js': `import { a } from './a.js'\non('message', async (data, socket) => socket.send(a()))\n`,
        'a.js': "import { b } from './b.js'\nexport const a = () => 'a'\nexport const viaB = () => b()\n",
        'b.js': "import { a } from './a.js'\nexport const b = () => a()\n",
      },
      async (dir) => {
        const bundle = await bundleSocket(path.join(dir, 'socket.js'))
        assert.deepEqual(bundle.inputs.map((p) => path.basename(p)).sort(), ['a.js', 'b.js', 'socket.js'])
      },
    )
  })

  test('a type error in socket.ts does not stop the bundle: esbuild strips types without checking them', async () => {
    await withFiles(
      {
        'socket.ts':
          "const greeting: number = 'hi'\non('message', async (data: string, socket: any) => socket.send(greeting))\n",
      },
      async (dir) => {
        assert.match(Buffer.from((await bundleSocket(path.join(dir, 'socket.ts'))).code).toString(), /greeting/)
      },
    )
  })

  test('a socket.js that only imports the file registering its handlers registers them', async () => {
    await withFiles({ 'socket.js': "import './routes.js'\n", 'routes.js': ECHO_JS }, async (dir) => {
      await bundleSocket(path.join(dir, 'socket.js'))
    })
  })

  test('in a git repository, imports may reach the rest of the repository (a monorepo), and no further', async () => {
    await withFiles(
      {
        'repo/.git/HEAD': 'ref: refs/heads/main\n',
        'repo/shared/greeting.js': "export default 'hi'\n",
        'repo/apps/chat/socket.js': `import greeting from '../../shared/greeting.js'\n${ECHO_JS.replace('send(data)', 'send(greeting)')}`,
        'outside.js': "export default 'not yours'\n",
        'repo/apps/other/socket.js': `import x from '../../../outside.js'\n${ECHO_JS.replace('send(data)', 'send(x)')}`,
      },
      async (dir) => {
        await bundleSocket(path.join(dir, 'repo/apps/chat/socket.js'))
        const error = await bundleSocket(path.join(dir, 'repo/apps/other/socket.js')).catch((e: unknown) => e)
        assert.ok(error instanceof BundleError)
        assert.match(
          messages(error)[0]!,
          /^"\.\.\/\.\.\/\.\.\/outside\.js" leads outside the project \(to .*outside\.js\): imports must stay inside .*repo - /,
        )
        assert.deepEqual(
          { file: error.diagnostics[0]!.file, line: error.diagnostics[0]!.line },
          { file: path.join(dir, 'repo/apps/other/socket.js'), line: 1 },
        )
      },
    )
  })

  test('dev (watch mode) has the same guard: an absolute import is an error, not a read', async () => {
    await withFiles({ 'socket.js': `import x from '/etc/passwd'\n${ECHO_JS}` }, async (dir) => {
      const error = await watchSocket(path.join(dir, 'socket.js'), {}, () => {}).catch((e: unknown) => e)
      assert.ok(error instanceof BundleError)
      assert.match(messages(error)[0]!, /^"\/etc\/passwd" is an absolute path: imports must stay inside the project/)
    })
  })

  test('UTF-8 is checked byte by byte: overlong forms, surrogates and cut sequences are not UTF-8', () => {
    const at = (...bytes: number[]) => firstInvalidUtf8(new Uint8Array(bytes))
    assert.equal(at(...Buffer.from('plain, café, 日本, 🎉')), -1)
    assert.equal(at(0x61, 0xe9, 0x62), 1, 'Latin-1 é')
    assert.equal(at(0xc0, 0x80), 0, 'an overlong NUL')
    assert.equal(at(0xe0, 0x80, 0x80), 0, 'an overlong three-byte form')
    assert.equal(at(0xed, 0xa0, 0x80), 0, 'a UTF-16 surrogate')
    assert.equal(at(0xf4, 0x90, 0x80, 0x80), 0, 'past U+10FFFF')
    assert.equal(at(0x61, 0xe2, 0x82), 1, 'cut at the end')
    assert.equal(at(0xf5, 0x80, 0x80, 0x80), 0)
  })
})
