import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { ConfigError, formatDiagnostic, loadConfig } from '../src/config/index.ts'
import type { Diagnostic, IamStatement, LoadedConfig } from '../src/config/index.ts'
import { describeUnquoted, fromEnvironment, quote } from '../src/config/quote.ts'
import { didYouMean, editDistance } from '../src/config/suggest.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const fixtures = path.join(here, 'fixtures', 'config')
const good = (name: string) => path.join(fixtures, 'good', name)
const badDir = path.join(fixtures, 'bad')

async function loadError(configPath: string, options?: Parameters<typeof loadConfig>[1]): Promise<ConfigError> {
  try {
    await loadConfig(configPath, options)
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`)
    return err
  }
  assert.fail(`expected ${configPath} to be rejected`)
}

// ---------------------------------------------------------------------------
// good configs

test('seed example (typo fixed) resolves every input as written', async () => {
  const dir = good('seed')
  const loaded = await loadConfig(path.join(dir, 'serverless.yml'), { env: {} })
  assert.deepEqual(loaded.parsed, {
    file: path.join(dir, 'serverless.yml'),
    name: 'my-socket',
    stage: 'dev',
    components: [
      {
        key: 'Socket',
        component: '@serverless/socket',
        line: 6,
        inputs: {
          name: 'my-socket',
          description: 'My Socket Backend',
          region: 'us-east-1',
          memory: 128,
          timeout: 10,
          env: { TABLE_NAME: 'my-table' },
          code: './code',
        },
      },
    ],
  })
  assert.deepEqual(loaded.sockets, [
    {
      componentKey: 'Socket',
      configFile: path.join(dir, 'serverless.yml'),
      app: 'my-socket',
      stage: 'dev',
      region: 'us-east-1',
      memory: 128,
      timeout: 10,
      description: 'My Socket Backend',
      env: { TABLE_NAME: 'my-table' },
      codeDir: path.join(dir, 'code'),
      handlerFile: path.join(dir, 'code', 'socket.js'),
      runtime: 'nodejs24.x',
      architecture: 'arm64',
      policy: [],
      logRetentionDays: 30,
      keepVersions: 5,
      defaulted: [
        'runtime',
        'architecture',
        'policy',
        'throttle',
        'logRetentionDays',
        'keepVersions',
        'permissionsBoundary',
      ],
    },
  ])
})

test('minimal config gets every default', async () => {
  const dir = good('minimal')
  const loaded: LoadedConfig = await loadConfig(path.join(dir, 'serverless.yml'), { env: {} })
  assert.deepEqual(loaded.parsed.components, [{ key: 'Socket', component: '@serverless/socket', inputs: {}, line: 1 }])
  assert.equal(loaded.parsed.name, undefined)
  assert.equal(loaded.parsed.stage, undefined)
  assert.deepEqual(loaded.sockets, [
    {
      componentKey: 'Socket',
      configFile: path.join(dir, 'serverless.yml'),
      app: 'minimal',
      stage: 'dev',
      region: 'us-east-1',
      memory: 512,
      timeout: 10,
      description: 'socket-action backend minimal',
      env: {},
      codeDir: dir,
      handlerFile: path.join(dir, 'socket.js'),
      runtime: 'nodejs24.x',
      architecture: 'arm64',
      policy: [],
      logRetentionDays: 30,
      keepVersions: 5,
      defaulted: [
        'app',
        'stage',
        'region',
        'memory',
        'timeout',
        'description',
        'env',
        'code',
        'runtime',
        'architecture',
        'policy',
        'throttle',
        'logRetentionDays',
        'keepVersions',
        'permissionsBoundary',
      ],
    },
  ])
  assert.ok(!('throttle' in loaded.sockets[0]!), 'no throttle key: account defaults apply')
})

test('relative config path: file is echoed as given, paths are absolute', async () => {
  const rel = path.relative(process.cwd(), path.join(good('minimal'), 'serverless.yml'))
  const loaded = await loadConfig(rel, { env: {} })
  assert.equal(loaded.parsed.file, rel)
  assert.equal(loaded.sockets[0]?.configFile, path.resolve(rel))
  assert.equal(loaded.sockets[0]?.codeDir, good('minimal'))
})

const substEnv = {
  APP: 'chat',
  SUFFIX: 'backend',
  STAGE: 'prod',
  REGION: 'eu-west-1',
  MEM: '256',
  API_KEY: 'k-123',
}

test('${env.X} substitution: whole values, parts, several per string, numeric coercion', async () => {
  const dir = good('env-subst')
  const loaded = await loadConfig(path.join(dir, 'serverless.yml'), { env: substEnv })
  assert.equal(loaded.parsed.name, 'chat-backend')
  assert.equal(loaded.parsed.stage, 'prod')
  assert.equal(loaded.parsed.components[0]?.component, '@serverless/socket@1.2.0')
  assert.deepEqual(loaded.sockets, [
    {
      componentKey: 'Socket',
      configFile: path.join(dir, 'serverless.yml'),
      app: 'chat-backend',
      stage: 'prod',
      region: 'eu-west-1',
      memory: 256,
      timeout: 20,
      description: 'backend for chat in prod',
      env: { TABLE_NAME: 'table-prod', API_KEY: 'k-123', RETRIES: '3', DEBUG: 'true' },
      codeDir: path.join(dir, 'src'),
      handlerFile: path.join(dir, 'src', 'socket.ts'),
      runtime: 'nodejs24.x',
      architecture: 'arm64',
      policy: [],
      logRetentionDays: 30,
      keepVersions: 5,
      defaulted: [
        'runtime',
        'architecture',
        'policy',
        'throttle',
        'logRetentionDays',
        'keepVersions',
        'permissionsBoundary',
      ],
    },
  ])
})

test('runtime, architecture, policy and throttle as written, with ${env.X} in policy strings and throttle numbers', async () => {
  const dir = good('engine-inputs')
  const env = { REGION: 'eu-west-1', ACCOUNT: '123456789012', TABLE: 'chat', BURST: '200' }
  const loaded = await loadConfig(path.join(dir, 'serverless.yml'), { env })
  const policy: IamStatement[] = [
    {
      Sid: 'ReadWriteTable',
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
      Resource: [
        'arn:aws:dynamodb:eu-west-1:123456789012:table/chat',
        'arn:aws:dynamodb:eu-west-1:123456789012:table/chat/index/*',
      ],
    },
    {
      Effect: 'Deny',
      NotAction: 's3:Get*',
      NotResource: 'arn:aws:s3:::uploads/${aws:userid}/*', // IAM policy variables pass through
      Condition: {
        StringEquals: { 'aws:RequestedRegion': 'eu-west-1' },
        NumericLessThan: { 's3:max-keys': 10 },
        Bool: { 'aws:SecureTransport': [true, 'false'] },
      },
    },
    { Effect: 'Allow', Action: '*', Resource: '*' },
  ]
  assert.deepEqual(loaded.parsed.components[0]?.inputs, {
    runtime: 'nodejs22.x',
    architecture: 'x86_64',
    policy,
    policyAt: { line: 6, column: 5 },
    throttle: { burstLimit: 200, rateLimit: 12.5 },
    permissionsBoundary: 'arn:aws:iam::123456789012:policy/socket-action-boundary',
  })
  const socket = loaded.sockets[0]!
  assert.deepEqual(socket.policyAt, { line: 6, column: 5 }, 'where policy is written, for the role policy size check')
  assert.equal(socket.runtime, 'nodejs22.x')
  assert.equal(socket.architecture, 'x86_64')
  assert.deepEqual(socket.policy, policy)
  assert.deepEqual(socket.throttle, { burstLimit: 200, rateLimit: 12.5 })
  assert.equal(socket.permissionsBoundary, 'arn:aws:iam::123456789012:policy/socket-action-boundary')
  assert.deepEqual(socket.defaulted, [
    'app',
    'stage',
    'region',
    'memory',
    'timeout',
    'description',
    'env',
    'code',
    'logRetentionDays',
    'keepVersions',
  ])
})

test('empty policy and throttle are explicit, not defaulted', async () => {
  const loaded = await loadConfig(path.join(good('engine-inputs-empty'), 'serverless.yml'), { env: {} })
  const socket = loaded.sockets[0]!
  assert.deepEqual(socket.policy, [])
  assert.deepEqual(socket.throttle, {})
  assert.ok(!socket.defaulted.includes('policy'))
  assert.ok(!socket.defaulted.includes('throttle'))
  assert.ok(socket.defaulted.includes('runtime') && socket.defaulted.includes('architecture'))
})

test('connections: registry is read as written; absent, there is no registry', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'socket-config-'))
  try {
    await writeFile(path.join(dir, 'socket.js'), "on('message', async (data, socket) => socket.send(data))\n")
    const yml = (inputs: string) =>
      writeFile(path.join(dir, 'serverless.yml'), `Socket:\n  component: "@serverless/socket"\n  inputs:\n${inputs}`)
    await yml('    connections: registry\n')
    assert.equal((await loadConfig(path.join(dir, 'serverless.yml'), { env: {} })).sockets[0]!.connections, 'registry')
    await yml('    connections: ${env.REGISTRY}\n')
    const fromEnv = await loadConfig(path.join(dir, 'serverless.yml'), { env: { REGISTRY: 'registry' } })
    assert.equal(fromEnv.sockets[0]!.connections, 'registry')
    await yml('    memory: 256\n')
    assert.ok(!('connections' in (await loadConfig(path.join(dir, 'serverless.yml'), { env: {} })).sockets[0]!))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('options.env defaults to process.env', async () => {
  const dir = good('env-subst')
  const saved = { ...process.env }
  try {
    Object.assign(process.env, substEnv)
    const loaded = await loadConfig(path.join(dir, 'serverless.yml'))
    assert.equal(loaded.sockets[0]?.region, 'eu-west-1')
  } finally {
    for (const k of Object.keys(substEnv)) if (!(k in saved)) delete process.env[k]
  }
})

test('stage override wins over the file and is not "defaulted"', async () => {
  const seed = await loadConfig(path.join(good('seed'), 'serverless.yml'), { env: {}, stage: 'prod' })
  assert.equal(seed.parsed.stage, 'dev') // parsed = what the user wrote
  assert.equal(seed.sockets[0]?.stage, 'prod')
  const minimal = await loadConfig(path.join(good('minimal'), 'serverless.yml'), { env: {}, stage: 'qa_2' })
  assert.equal(minimal.sockets[0]?.stage, 'qa_2')
  assert.ok(!minimal.sockets[0]?.defaulted.includes('stage'))
})

test('invalid stage override is reported', async () => {
  const err = await loadError(path.join(good('seed'), 'serverless.yml'), { env: {}, stage: 'bad stage' })
  assert.equal(err.diagnostics.length, 1)
  assert.match(err.diagnostics[0]!.message, /stage "bad stage" \(given as an option\) is invalid/)
})

// ---------------------------------------------------------------------------
// helpers

test('ConfigError message is the formatted diagnostics, one per line', () => {
  const ds: Diagnostic[] = [
    { file: 'a.yml', line: 1, column: 2, message: 'one' },
    { file: 'a.yml', line: 3, column: 4, message: 'two' },
  ]
  const err = new ConfigError(ds)
  assert.ok(err instanceof Error)
  assert.equal(err.message, 'a.yml:1:2: one\na.yml:3:4: two')
  assert.equal(formatDiagnostic(ds[0]!), 'a.yml:1:2: one')
  assert.deepEqual(err.diagnostics, ds)
})

test('did-you-mean uses Damerau distance <= 2', () => {
  assert.equal(editDistance('regoin', 'region'), 1)
  assert.equal(editDistance('kitten', 'sitting'), 3)
  assert.equal(didYouMean('regoin', ['name', 'region']), 'did you mean "region"?')
  assert.equal(didYouMean('foo', ['name', 'region']), undefined)
})

// ---------------------------------------------------------------------------
// corpus of bad configs: test/fixtures/config/bad/<case>/
//   serverless.yml  the config (absent for the missing-file case)
//   expected.txt    exact diagnostics, `serverless.yml:LINE:COL: message`; <CASE> = absolute case folder
//   options.json    optional { env, stage } passed to loadConfig (env defaults to {})
//   secrets.txt     optional strings (one a line) that must not appear in any message
// UPDATE_EXPECTED=1 rewrites expected.txt from the actual output (review the diff!).

const cases = readdirSync(badDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort()

test('corpus has enough cases', () => {
  assert.ok(cases.length >= 25, `only ${cases.length} cases`)
})

for (const name of cases) {
  test(`bad config: ${name}`, async () => {
    const caseDir = path.join(badDir, name)
    const options = existsSync(path.join(caseDir, 'options.json'))
      ? (JSON.parse(readFileSync(path.join(caseDir, 'options.json'), 'utf8')) as {
          env?: Record<string, string>
          stage?: string
        })
      : {}
    const configPath = path.relative(process.cwd(), path.join(caseDir, 'serverless.yml'))
    const err = await loadError(configPath, { env: {}, ...options })

    assert.ok(err.diagnostics.length > 0)
    for (const d of err.diagnostics) {
      assert.equal(d.file, configPath, 'diagnostic file is the path as given')
      assert.ok(d.line >= 1 && d.column >= 1)
    }
    assert.equal(err.message, err.diagnostics.map(formatDiagnostic).join('\n'))

    const actual = err.diagnostics
      .map((d) =>
        formatDiagnostic({ ...d, file: path.relative(caseDir, d.file) })
          .split(caseDir)
          .join('<CASE>'),
      )
      .join('\n')
    const expectedFile = path.join(caseDir, 'expected.txt')
    if (process.env.UPDATE_EXPECTED === '1') writeFileSync(expectedFile, `${actual}\n`)
    const expected = readFileSync(expectedFile, 'utf8').trimEnd()
    assert.equal(actual, expected)

    const secretsFile = path.join(caseDir, 'secrets.txt')
    if (existsSync(secretsFile)) {
      for (const secret of readFileSync(secretsFile, 'utf8').split('\n').filter(Boolean)) {
        assert.ok(!err.message.includes(secret), `message leaks secret ${JSON.stringify(secret)}`)
      }
    }
  })
}

test('zero configuration: a folder with only socket.js loads with every default when serverless.yml is optional', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'zero-config-'))
  try {
    await writeFile(path.join(dir, 'socket.js'), "on('default', async (d, s) => s.send(d))\n")
    const configFile = path.join(dir, 'serverless.yml')
    const { sockets } = await loadConfig(configFile, { optional: true, env: {} })
    assert.equal(sockets.length, 1)
    assert.equal(sockets[0]!.app, path.basename(dir).replace(/[^A-Za-z0-9_-]/g, '-'))
    assert.equal(sockets[0]!.handlerFile, path.join(dir, 'socket.js'))
    assert.ok(sockets[0]!.defaulted.includes('app') && sockets[0]!.defaulted.includes('region'))
    // Named explicitly, a missing file stays an error; so does an optional one beside no socket.js.
    await assert.rejects(loadConfig(configFile, { env: {} }), /file not found/)
    await assert.rejects(
      loadConfig(path.join(tmpdir(), 'nowhere-here', 'serverless.yml'), { optional: true, env: {} }),
      /file not found/,
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

// ---------------------------------------------------------------------------
// the shipped JSON Schema, as an editor uses it: the file's own text (no ${env.X} substitution), checked by ajv alone

const root = path.join(here, '..')
const schemaFile = path.join(root, 'schema', 'serverless.schema.json')

async function editorValidator() {
  const { Ajv } = await import('ajv')
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true })
  return ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object)
}

test('schema: the npm package ships it and every example points its editor at it', async () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { files: string[] }
  assert.ok(pkg.files.includes('schema/serverless.schema.json'), 'package.json "files" ships the schema')
  const validate = await editorValidator()
  const examples = readdirSync(path.join(root, 'examples'))
  assert.ok(examples.length >= 2)
  for (const name of examples) {
    const file = path.join(root, 'examples', name, 'serverless.yml')
    const text = readFileSync(file, 'utf8')
    const first = /^# yaml-language-server: \$schema=(\S+)\n/.exec(text)
    assert.ok(first, `${file} starts with a yaml-language-server $schema line`)
    assert.equal(path.resolve(path.dirname(file), first[1]!), schemaFile, `${file}'s $schema is the shipped schema`)
    assert.ok(validate(parse(text)), `${file}: ${JSON.stringify(validate.errors)}`)
  }
})

test("schema: the README's serverless.yml passes as an editor checks it", async () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8')
  const block = /## serverless\.yml\n\n```yaml\n(# yaml-language-server: \$schema=\S+\n[\s\S]*?)```/.exec(readme)
  assert.ok(block, 'the README shows serverless.yml with its $schema line first')
  const validate = await editorValidator()
  assert.ok(validate(parse(block[1]!)), JSON.stringify(validate.errors))
})

test('schema: the good fixtures pass as written (${env.X} included), and an editor flags typical mistakes', async () => {
  const validate = await editorValidator()
  for (const name of readdirSync(path.join(fixtures, 'good'))) {
    const data = parse(readFileSync(path.join(fixtures, 'good', name, 'serverless.yml'), 'utf8'))
    assert.ok(validate(data), `good/${name}: ${JSON.stringify(validate.errors)}`)
  }
  for (const name of [
    'seed-regoin',
    'region-typo',
    'memory-out-of-range',
    'runtime-deprecated',
    'policy-unknown-key',
    'env-reserved',
    'unsupported-component',
  ]) {
    const data = parse(readFileSync(path.join(badDir, name, 'serverless.yml'), 'utf8'))
    assert.ok(!validate(data), `bad/${name} is flagged`)
  }
})

// ---------------------------------------------------------------------------
// faithful values and bounded reading (issue 11; the rejections are in test/hostile/config-*.cases.ts)

/** Loads `text` as the serverless.yml of a fresh project (with a socket.js), then removes it. */
async function loadText(
  text: string | Uint8Array,
  options: Parameters<typeof loadConfig>[1] = {},
): Promise<LoadedConfig | ConfigError> {
  const dir = await mkdtemp(path.join(tmpdir(), 'config-text-'))
  try {
    await writeFile(path.join(dir, 'socket.js'), "on('default', async (d, s) => s.send(d))\n")
    await writeFile(path.join(dir, 'serverless.yml'), text)
    return await loadConfig(path.join(dir, 'serverless.yml'), { env: {}, ...options })
  } catch (err) {
    if (err instanceof ConfigError) return err
    throw err
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function loaded(text: string | Uint8Array, options?: Parameters<typeof loadConfig>[1]): Promise<LoadedConfig> {
  const result = await loadText(text, options)
  assert.ok(!(result instanceof ConfigError), result instanceof ConfigError ? result.message : '')
  return result
}

const SOCKET = 'Socket:\n  component: "@serverless/socket"\n  inputs:\n'

test('env values keep their text as written: 1.10 stays "1.10", 0x10 "0x10", true "true"', async () => {
  const { sockets } = await loaded(
    `${SOCKET}    env:\n      ANCHORED: &v 2.50\n      VER: 1.10\n      HEX: 0x10\n      OCT: 012\n      YES: yes\n      ON: true\n      BIG: 12345678901234567890\n      EXP: 1e3\n      NEG: -0.50\n      QUOTED: "1.10"\n      ALIASED: *v\n`,
  )
  assert.deepEqual(sockets[0]!.env, {
    ANCHORED: '2.50',
    VER: '1.10',
    HEX: '0x10',
    OCT: '012',
    YES: 'yes',
    ON: 'true',
    BIG: '12345678901234567890',
    EXP: '1e3',
    NEG: '-0.50',
    QUOTED: '1.10',
    ALIASED: '2.50',
  })
})

test('merge keys: <<: *anchor merges a mapping, its own keys win, the first of a list of mappings wins', async () => {
  const { sockets } = await loaded(
    'Chat:\n  component: "@serverless/socket"\n  inputs: &common\n    region: eu-west-1\n    memory: 256\n    env: &env\n      TABLE: chat\n      LOG: info\n' +
      'Admin:\n  component: "@serverless/socket"\n  inputs:\n    <<: *common\n    name: admin\n    memory: 1024\n    env:\n      <<: [{ LOG: debug }, *env]\n      EXTRA: "1"\n',
  )
  const [chat, admin] = sockets
  assert.equal(chat!.memory, 256)
  assert.deepEqual(
    { app: admin!.app, region: admin!.region, memory: admin!.memory, env: admin!.env },
    { app: 'admin', region: 'eu-west-1', memory: 1024, env: { EXTRA: '1', LOG: 'debug', TABLE: 'chat' } },
  )
  assert.ok(!admin!.defaulted.includes('region'), 'a merged input counts as written')
})

test('a number is shown as written: 1.10, not 1.1', async () => {
  const err = await loadText(`name: 1.10\n${SOCKET}    memory: 1.50\n    logRetentionDays: 0x1F\n`)
  assert.ok(err instanceof ConfigError)
  assert.deepEqual(
    err.diagnostics.map((d) => d.message),
    [
      'top-level "name" must be a string, got 1.10 - put it in quotes if you mean the text "1.10"',
      'input "memory" must be an integer number of MB, got 1.50',
      'input "logRetentionDays" must be a retention CloudWatch Logs accepts, got 0x1F - did you mean 30? (one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)',
    ],
  )
})

test('a quoted "<<" is a key like any other', async () => {
  const err = await loadText(`${SOCKET}    "<<": { memory: 256 }\n`)
  assert.ok(err instanceof ConfigError)
  assert.match(err.message, /serverless\.yml:4:5: unknown input "<<"/)
})

test('aliases within the limits, and !!str, are fine', async () => {
  const statement = '    - &read\n      Effect: Allow\n      Action: dynamodb:GetItem\n      Resource: "*"\n'
  const { sockets } = await loaded(
    `${SOCKET}    name: !!str 2024\n    policy:\n${statement}${Array(20).fill('    - *read\n').join('')}`,
  )
  assert.equal(sockets[0]!.app, '2024')
  assert.equal(sockets[0]!.policy.length, 21)
})

test('a UTF-8 byte order mark is accepted, and positions stay right', async () => {
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(`${SOCKET}    regoin: us-east-1\n`)])
  const err = await loadText(bom)
  assert.ok(err instanceof ConfigError)
  assert.match(err.message, /serverless\.yml:4:5: unknown input "regoin"/)
  const ok = await loaded(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(`${SOCKET}    memory: 256\n`)]))
  assert.equal(ok.sockets[0]!.memory, 256)
})

test('CRLF line ends are fine; non-ASCII UTF-8 is kept', async () => {
  const { sockets } = await loaded(
    `${SOCKET}    description: café ☕ backend\n    memory: 256\n`.replaceAll('\n', '\r\n'),
  )
  assert.equal(sockets[0]!.description, 'café ☕ backend')
  assert.equal(sockets[0]!.memory, 256)
})

test('secrets: every non-empty value read through ${env.X}, and only those', async () => {
  const env = { API_KEY: 'k-123', REGION: 'eu-west-1', EMPTY: '', MEM: '512', ACCOUNT: '123456789012' }
  const { secrets } = await loaded(
    `${SOCKET}    region: \${env.REGION}\n    memory: \${env.MEM}\n    env:\n      API_KEY: \${env.API_KEY}\n      LITERAL: written-in-the-file\n      NOTHING: "\${env.EMPTY}"\n    policy:\n      - Effect: Allow\n        Action: s3:GetObject\n        Resource: arn:aws:s3:::\${env.ACCOUNT}-bucket/*\n`,
    { env },
  )
  assert.deepEqual([...secrets].sort(), ['123456789012', '512', 'eu-west-1', 'k-123'])
  const none = await loaded(`${SOCKET}    memory: 256\n`)
  assert.deepEqual(none.secrets, [])
})

test('a value from ${env.X} is never in a message, even one built elsewhere (the code folder)', async () => {
  const err = await loadText(`${SOCKET}    code: \${env.CODE_DIR}\n    memory: \${env.MEM}\n`, {
    env: { CODE_DIR: 'private-folder-name', MEM: '99999' },
  })
  assert.ok(err instanceof ConfigError)
  assert.doesNotMatch(err.message, /private-folder-name|99999/)
  assert.match(err.message, /code folder "\$\{env\.CODE_DIR\}" not found/)
  assert.match(
    err.message,
    /input "memory" must be between 128 and 10240 MB .*, got \$\{env\.MEM\} \(from the environment\)/,
  )
})

test('a file with thousands of problems reports the first 50 and how many more', async () => {
  const lines = Array.from({ length: 500 }, (_, i) => `    unknown${i}: 1\n`).join('')
  const err = await loadText(`${SOCKET}${lines}`)
  assert.ok(err instanceof ConfigError)
  assert.equal(err.diagnostics.length, 51)
  assert.match(err.diagnostics[50]!.message, /^and 450 more problems from here on - fix the ones above first$/)
  assert.equal(err.diagnostics[50]!.line, 54)
})

test('quote: values cut past 80 characters with their length; the top level described, not quoted', () => {
  assert.equal(quote('short'), '"short"')
  assert.equal(quote('x'.repeat(80)), `"${'x'.repeat(80)}"`)
  assert.equal(quote('y'.repeat(1234)), `"${'y'.repeat(79)}…" (1,234 characters)`)
  assert.equal(quote('a"b\n'.repeat(40)).endsWith('…" (160 characters)'), true)
  assert.equal(describeUnquoted('root:x:0:0:root:/root:/bin/bash'), 'a line of text (31 characters)')
  assert.equal(describeUnquoted('a\nb\nc'), 'a text of 3 lines')
  assert.equal(describeUnquoted(1234), 'a number')
  assert.equal(fromEnvironment('${env.MEMORY}'), '${env.MEMORY} (from the environment)')
  assert.equal(fromEnvironment('table/${env.T}'), '"table/${env.T}" (with values from the environment)')
})

test('a region of AWS shape newer than the known list loads (the pipeline warns); another shape is rejected', async () => {
  const { sockets } = await loaded(`${SOCKET}    region: eu-west-9\n`)
  assert.equal(sockets[0]!.region, 'eu-west-9')
  const rejected = await loadText(`${SOCKET}    region: mars-north-9\n`)
  assert.ok(rejected instanceof ConfigError)
  assert.match(rejected.message, /input "region" must be an AWS region, got "mars-north-9"/)
})

test('a value read from the environment into env or description is masked in what the process prints; region and policy are not', async () => {
  const { redact } = await import('../src/secrets.ts')
  await loaded(
    `${SOCKET}    region: \${env.REGION}\n    description: \${env.DESC}\n    env:\n      KEY: \${env.KEY}\n` +
      '    policy:\n      - Effect: Allow\n        Action: "s3:GetObject"\n        Resource: "arn:aws:s3:::${env.BUCKET}/*"\n',
    {
      env: { REGION: 'ap-southeast-7', DESC: 'sv-masked-description', KEY: 'sv-masked-key', BUCKET: 'sv-shown-bucket' },
    },
  )
  assert.equal(
    redact('ap-southeast-7 sv-masked-description sv-masked-key sv-shown-bucket'),
    'ap-southeast-7 *** *** sv-shown-bucket',
  )
})

// ---------------------------------------------------------------------------
// smoke: the message each new version must answer before traffic moves to it (issue 12)

test('smoke: message as text or as a mapping (sent as JSON), expect as text; absent without the input', async () => {
  const text = await loaded(`${SOCKET}    smoke:\n      message: '{"route":"ping"}'\n      expect: pong\n`)
  assert.deepEqual(text.sockets[0]!.smoke, { message: '{"route":"ping"}', expect: 'pong' })
  const mapping = await loaded(
    `${SOCKET}    smoke:\n      message:\n        route: ping\n        data: { n: 1 }\n      expect: pong\n`,
  )
  assert.deepEqual(mapping.sockets[0]!.smoke, { message: '{"route":"ping","data":{"n":1}}', expect: 'pong' })
  const fromEnv = await loaded(`${SOCKET}    smoke: { message: hello, expect: "\${env.REPLY}" }\n`, {
    env: { REPLY: 'hi' },
  })
  assert.deepEqual(fromEnv.sockets[0]!.smoke, { message: 'hello', expect: 'hi' })
  const none = await loaded(`${SOCKET}    memory: 256\n`)
  assert.ok(!('smoke' in none.sockets[0]!))
})

test('smoke mistakes: each says what to write', async () => {
  const cases: Array<[string, string]> = [
    [
      'smoke: { message: ping }',
      'input "smoke" has no "expect" - add the text the reply to the message must contain, e.g. smoke: { message: \'{"route":"ping"}\', expect: pong }',
    ],
    ['smoke: { expect: pong }', 'input "smoke" has no "message" - add what a client sends'],
    ['smoke: ping', 'input "smoke" must be a mapping with "message" (what a client sends) and "expect"'],
    ['smoke: { message: ping, reply: pong }', 'unknown key "reply" in input "smoke" - did you mean "expect"?'],
    ['smoke: { message: ping, expect: 200 }', 'input "smoke.expect" must be a string, got 200 - put it in quotes'],
    ['smoke: { message: ping, expect: "" }', 'input "smoke.expect" must not be empty'],
    ['smoke: { message: "", expect: pong }', 'input "smoke.message" must not be empty'],
    ['smoke: { message: [1, 2], expect: pong }', 'input "smoke.message" must be text or a mapping (sent as JSON)'],
  ]
  for (const [input, message] of cases) {
    const error = await loadText(`${SOCKET}    ${input}\n`)
    assert.ok(error instanceof ConfigError, `${input} is refused`)
    assert.match(error.message, new RegExp(`serverless\\.yml:4:\\d+: ${escapeRegExp(message)}`), input)
  }
})

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

// smoke.headers and smoke.query: the credentials the smoke test's $connect and verify's handshake carry

test('smoke.headers and smoke.query: maps of names to text, ${env.X} substituted and masked in all output', async () => {
  const { redact } = await import('../src/secrets.ts')
  const { sockets } = await loaded(
    `${SOCKET}    smoke:\n      message: ping\n      expect: pong\n      headers:\n        Authorization: "Bearer \${env.SMOKE_TOKEN}"\n        X-Client: smoke\n      query: { token: "\${env.SMOKE_QUERY_TOKEN}", room: lobby }\n`,
    { env: { SMOKE_TOKEN: 'sv-smoke-header-token', SMOKE_QUERY_TOKEN: 'sv-smoke-query-token' } },
  )
  assert.deepEqual(sockets[0]!.smoke, {
    message: 'ping',
    expect: 'pong',
    headers: { Authorization: 'Bearer sv-smoke-header-token', 'X-Client': 'smoke' },
    query: { token: 'sv-smoke-query-token', room: 'lobby' },
  })
  assert.equal(
    redact('Bearer sv-smoke-header-token ?token=sv-smoke-query-token X-Client: smoke'),
    'Bearer *** ?token=*** X-Client: smoke',
  )
})

test('smoke.headers and smoke.query mistakes: each at its line, with the fix, never a value', async () => {
  const cases: Array<[string, string, string]> = [
    ['headers: Bearer x', '4', 'input "smoke.headers" must be a mapping of header names to values, e.g. headers: {'],
    ['query: [token]', '4', 'input "smoke.query" must be a mapping of query string parameter names to values'],
    ['header: { Authorization: x }', '4', 'unknown key "header" in input "smoke" - did you mean "headers"?'],
    ['queryString: { token: x }', '4', 'unknown key "queryString" in input "smoke" - did you mean "query"?'],
    [
      'headers: { X-Num: 12 }',
      '4',
      'header "X-Num" in input "smoke.headers" must be a string, got a number - put it in quotes',
    ],
    [
      'query: { token: [a] }',
      '4',
      'query string parameter "token" in input "smoke.query" must be a string, got a list',
    ],
    ['query: { token: }', '4', 'query string parameter "token" in input "smoke.query" has no value'],
    ['query: { "": x }', '4', 'input "smoke.query" has a parameter with an empty name - give it a name'],
    [
      'headers: { "Bad Name": x }',
      '4',
      'header name "Bad Name" in input "smoke.headers" is not a valid HTTP header name',
    ],
    ['headers: { "X:Y": x }', '4', 'header name "X:Y" in input "smoke.headers" is not a valid HTTP header name'],
    [
      'headers: { host: x }',
      '4',
      'header "host" in input "smoke.headers" is set by API Gateway itself (Host) - remove it',
    ],
    [
      'headers: { X-Forwarded-For: 1.2.3.4 }',
      '4',
      'header "X-Forwarded-For" in input "smoke.headers" is set by API Gateway itself',
    ],
    [
      'headers: { Connection: x }',
      '4',
      `header "Connection" in input "smoke.headers" is the WebSocket handshake's own`,
    ],
    ['headers: { UPGRADE: x }', '4', `header "UPGRADE" in input "smoke.headers" is the WebSocket handshake's own`],
    [
      'headers: { sec-websocket-protocol: chat }',
      '4',
      `header "sec-websocket-protocol" in input "smoke.headers" is the WebSocket handshake's own: the client and API Gateway set it (Sec-WebSocket-*)`,
    ],
    [
      'headers: { Authorization: a, authorization: b }',
      '4',
      'header "authorization" in input "smoke.headers" is "Authorization" again (header names are case-insensitive)',
    ],
  ]
  for (const [input, line, message] of cases) {
    const error = await loadText(`${SOCKET}    smoke: { message: ping, expect: pong, ${input} }\n`)
    assert.ok(error instanceof ConfigError, `${input} is refused`)
    assert.match(error.message, new RegExp(`serverless\\.yml:${line}:\\d+: ${escapeRegExp(message)}`), input)
  }
  // block style: the line and column of the header's key
  const error = await loadText(
    `${SOCKET}    smoke:\n      message: ping\n      expect: pong\n      headers:\n        Authorization: "Bearer \${env.TOKEN}"\n        Host: example.com\n        X-Line: "\${env.TWO_LINES}"\n`,
    { env: { TOKEN: 'sv-token-in-error', TWO_LINES: 'sv-first-line\nsv-second-line' } },
  )
  assert.ok(error instanceof ConfigError)
  assert.deepEqual(
    error.diagnostics.map((d) => [d.line, d.column]),
    [
      [9, 9],
      [10, 9],
    ],
  )
  assert.match(error.diagnostics[1]!.message, /header "X-Line" .* has a character no HTTP header can carry/)
  assert.doesNotMatch(error.message, /sv-token-in-error|sv-first-line|sv-second-line/)
})
