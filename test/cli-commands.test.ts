// `socket-action url`, `logs` and `init` as a user runs them: url and logs against stages deployed on moto (through
// the shim, AWS_ENDPOINT_URL), init on a scratch folder that `dev` then serves.
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  CreateApiMappingCommand,
  CreateDomainNameCommand,
  GetApisCommand,
  TagResourceCommand,
} from '@aws-sdk/client-apigatewayv2'
import { CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs'
import { BUNDLE_FILE, bundleSocket } from '../src/bundle/build.ts'
import { originalPosition, decodeSourceMap, mapStackText } from '../src/bundle/stack-map.ts'
import { sinceValue } from '../src/cli/commands/logs.ts'
import { colourOn } from '../src/cli/terminal.ts'
import { startDev } from '../src/dev/serve.ts'
import { TAG_DOMAIN } from '../src/engine/names.ts'
import { deployStage } from '../src/pipeline.ts'
import { issueCertificate } from './helpers/acm-certificates.ts'
import { FAST, scratchProject, startAwsBed, type AwsBed, type Project } from './helpers/aws-bed.ts'
import { sdk } from './helpers/aws-state.ts'
import { GetRoleCommand } from '@aws-sdk/client-iam'
import { CreateFunctionCommand } from '@aws-sdk/client-lambda'
import { connect } from './helpers/clients.ts'
import { runNode } from './helpers/processes.ts'
import { REPO_ROOT } from './helpers/tracked.ts'

const BIN = path.join(import.meta.dirname, '../src/cli/bin.js')
const cli = (args: string[], cwd: string, env?: NodeJS.ProcessEnv) => runNode(BIN, args, { cwd, env }).done

async function until<T>(what: string, check: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value !== undefined) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('socket-action url and logs, on stages deployed on moto', () => {
  let bed: AwsBed
  let project: Project
  const aws = sdk()
  before(async () => {
    bed = await startAwsBed()
    project = await scratchProject()
  })
  after(async () => {
    await project?.remove()
    await bed?.stop()
  })

  test('url prints the execute-api URL, the live version and the region; --json the same; a custom domain once mapped', async () => {
    const deployed = await deployStage({ configFile: project.config, stage: 'pr-3', ...FAST })
    const text = await cli(['url', '--stage', 'pr-3'], project.dir)
    assert.equal(text.code, 0, text.stderr)
    const lines = text.stdout.split('\n')
    assert.equal(lines[0], deployed.url)
    assert.match(deployed.url, /^wss:\/\/\w+\.execute-api\.us-east-1\.amazonaws\.com\/pr-3$/)
    assert.match(text.stdout, /^ {2}live: +version 1$/m)
    assert.match(text.stdout, /^ {2}region: +us-east-1$/m)

    const json = await cli(['url', '.', '--stage', 'pr-3', '--json'], project.dir)
    assert.equal(json.code, 0, json.stderr)
    assert.deepEqual(JSON.parse(json.stdout), {
      url: deployed.url,
      apiUrl: deployed.url,
      stage: 'pr-3',
      region: 'us-east-1',
      liveVersion: '1',
      apiId: deployed.apiId,
      functionName: 'my-socket-pr-3',
    })
    bed.shim.clearCalls()
    await cli(['url', '--stage', 'pr-3'], project.dir)
    assert.deepEqual(bed.shim.writes(), [], 'url writes nothing')
    assert.deepEqual(
      bed.shim
        .calls()
        .map((c) => c.operation)
        .sort(),
      ['GetAlias', 'GetApis'],
      'one round of reads without a domain',
    )

    // A domain tag whose domain has no mapping to the stage: still the execute-api URL.
    const name = 'pr-3.ws.example.com'
    const [api] = (await aws.apigw.send(new GetApisCommand({}))).Items!.filter((a) => a.ApiId === deployed.apiId)
    await aws.apigw.send(
      new TagResourceCommand({
        ResourceArn: `arn:aws:apigateway:us-east-1::/apis/${api!.ApiId}`,
        Tags: { [TAG_DOMAIN]: name },
      }),
    )
    const unmapped = await cli(['url', '--stage', 'pr-3', '--json'], project.dir)
    assert.equal(unmapped.code, 0, unmapped.stderr)
    assert.equal(JSON.parse(unmapped.stdout).url, deployed.url)
    const CertificateArn = await issueCertificate(bed.shim, name)
    await aws.apigw.send(
      new CreateDomainNameCommand({
        DomainName: name,
        DomainNameConfigurations: [{ CertificateArn, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }],
      }),
    )
    await aws.apigw.send(new CreateApiMappingCommand({ DomainName: name, ApiId: api!.ApiId, Stage: 'pr-3' }))
    const mapped = await cli(['url', '--stage', 'pr-3', '--json'], project.dir)
    assert.equal(mapped.code, 0, mapped.stderr)
    assert.equal(JSON.parse(mapped.stdout).url, `wss://${name}`)
    assert.equal(JSON.parse(mapped.stdout).apiUrl, deployed.url)
    assert.equal(JSON.parse(mapped.stdout).domain, name)
    const mappedText = await cli(['url', '--stage', 'pr-3'], project.dir)
    assert.match(
      mappedText.stdout,
      new RegExp(`^wss://${name.replace(/\./g, '\\.')}\\n {2}api url: +${deployed.url.replace(/[/.]/g, '\\$&')}$`, 'm'),
    )
  })

  test('url of a stage that is not deployed exits 2, naming the stages that are', async () => {
    const missing = await cli(['url', '--stage', 'pr-33'], project.dir)
    assert.equal(missing.code, 2, missing.stderr)
    assert.equal(missing.stdout, '')
    assert.match(
      missing.stderr,
      /^error: no stage "pr-33" of "my-socket" \(repository local\) in us-east-1: no WebSocket API is tagged for it - the stages of "my-socket" \(local\) in us-east-1 are: pr-3$/m,
    )
    const elsewhere = await cli(['url', '--stage', 'pr-3', '--region', 'eu-west-1'], project.dir)
    assert.equal(elsewhere.code, 2)
    assert.match(
      elsewhere.stderr,
      /in eu-west-1: .* has no stage in eu-west-1; deploy one: socket-action deploy --stage pr-3/,
    )
  })

  test("logs: every version tagged, each version's bundle.js frames mapped with its own deployed map, --since", async () => {
    const stage = 'logs'
    /** Deploys socket.js as it is now; returns where "marker-N" is in its bundle.js and in socket.js. */
    const deployMarked = async () => {
      await deployStage({ configFile: project.config, stage, ...FAST })
      const bundle = await bundleSocket(path.join(project.dir, 'socket.js'))
      const js = new TextDecoder().decode(bundle.files.find((f) => f.name === BUNDLE_FILE)!.data)
      const before = js.slice(0, js.search(/"marker-\d"/))
      const source = (await readFile(path.join(project.dir, 'socket.js'), 'utf8')).split('\n')
      return {
        frame: `    at Object.handler (/var/task/${BUNDLE_FILE}:${before.split('\n').length}:${before.length - before.lastIndexOf('\n')})`,
        line: source.findIndex((l) => /"marker-\d"/.test(l)) + 1,
      }
    }
    // Version 1, then version 2 with the marker three lines further down: a frame must go through its own version's map.
    await project.edit(
      'socket.js',
      (s) => `${s}\non('marker', async (data, socket) => {\n  await socket.send("marker-1")\n})\n`,
    )
    const v1 = await deployMarked()
    await project.edit('socket.js', (s) => `// two\n// two\n// two\n${s.replace('marker-1', 'marker-2')}`)
    const v2 = await deployMarked()
    assert.equal(v2.line, v1.line + 3)

    const group = '/aws/lambda/my-socket-logs'
    const now = Date.now()
    const put = async (stream: string, events: Array<[number, string]>) => {
      await aws.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream })).catch(() => {})
      await aws.logs.send(
        new PutLogEventsCommand({
          logGroupName: group,
          logStreamName: stream,
          logEvents: events.map(([timestamp, message]) => ({ timestamp, message })),
        }),
      )
    }
    await put('2026/12/07/[1]aaaa1111', [
      [now - 3 * 3_600_000, 'three hours ago\n'],
      [now - 60_000, `2026-12-07T13:00:00.000Z\treq-1\tERROR\tError: old\n${v1.frame}\n`],
    ])
    await put('2026/12/07/[2]bbbb2222', [
      [now - 30_000, `2026-12-07T13:00:30.000Z\treq-2\tINFO\thello from two\n`],
      [
        now - 20_000,
        `2026-12-07T13:00:40.000Z\treq-3\tERROR\tError: boom\n${v2.frame}\n    at run (/var/task/socket.js:12:5)\n`,
      ],
    ])
    await put('2026/12/07/[2]bbbb2222', [[now - 15_000, `Error: again\n${v2.frame}\n`]])
    // Version 3 does not exist, but its line has no bundle.js frame: nothing is downloaded for it, no note.
    await put('2026/12/07/[3]eeee5555', [[now - 5_000, 'a plain line']])
    // A version that is gone (pruned by keepVersions): its frame stays as it is, and a note says why.
    await put('2026/12/07/[9]dddd4444', [[now - 10_000, `Error: gone\n${v2.frame}\n`]])

    bed.shim.clearCalls()
    const result = await cli(['logs', '--stage', stage], project.dir)
    assert.equal(result.code, 0, result.stderr)
    const out = result.stdout.split('\n').filter(Boolean)
    assert.ok(!result.stdout.includes('\u001b['), 'no colour when stdout is not a terminal')
    assert.ok(!result.stdout.includes('three hours ago'), '--since defaults to 10 minutes')
    assert.match(out[0]!, /^\[v1\] \d{4}-\d\d-\d\dT[\d:.]+Z 2026-12-07T13:00:00.000Z\treq-1\tERROR\tError: old$/)
    assert.match(out[1]!, new RegExp(`\\(socket\\.js:${v1.line}:\\d+\\)$`))
    assert.match(out[2]!, /^\[v2\] \S+ .*hello from two$/)
    assert.match(out[3]!, /^\[v2\] \S+ .*Error: boom$/)
    assert.match(out[4]!, new RegExp(`^\\[v2\\] +at Object\\.handler \\(socket\\.js:${v2.line}:\\d+\\)$`))
    assert.match(out[5]!, /^\[v2\] +at run \(socket\.js:12:5\)$/, 'a frame Node.js mapped on Lambda loses /var/task/')
    assert.match(out[6]!, /^\[v2\] \S+ Error: again$/)
    assert.match(out[7]!, new RegExp(`^\\[v2\\] +at Object\\.handler \\(socket\\.js:${v2.line}:\\d+\\)$`))
    assert.match(out[8]!, /^\[v9\] \S+ Error: gone$/)
    assert.equal(out[9], `[v9] ${' '.repeat(24)} ${v2.frame}`)
    assert.match(out[10]!, /^\[v3\] \S+ a plain line$/)
    assert.equal(out.length, 11)
    assert.doesNotMatch(result.stderr, /version 3/)
    assert.match(result.stderr, /^socket-action logs: \/aws\/lambda\/my-socket-logs in us-east-1, since \S+Z$/m)
    assert.match(result.stderr, /^note: the stack lines of version 9 stay unmapped: /m)
    const located = bed.shim.calls().filter((c) => c.operation === 'GetFunction')
    assert.equal(
      located.length,
      3,
      'one GetFunction per version with a bundle.js frame (version 2 has two), none for the rest',
    )

    const older = await cli(['logs', '--stage', stage, '--since', '4h'], project.dir)
    assert.match(older.stdout, /^\[v1\] \S+ three hours ago$/m)
    const iso = new Date(now - 25_000).toISOString()
    const recent = await cli(['logs', '--stage', stage, '--since', iso], project.dir)
    assert.deepEqual(
      recent.stdout
        .split('\n')
        .filter((l) => /^\[v\d\] \S/.test(l))
        .map((l) => l.slice(0, 4)),
      ['[v2]', '[v2]', '[v9]', '[v3]'],
      `--since ${iso}: only the last four events`,
    )

    for (const bad of ['10 minutes', '5w', '2026-13-45', 'yesterday']) {
      bed.shim.clearCalls()
      const refused = await cli(['logs', '--stage', stage, '--since', bad], project.dir)
      assert.equal(refused.code, 2, bad)
      assert.match(refused.stderr, /--since ".*" is neither a duration nor an ISO time - e\.g\. --since 30s, 10m/)
      assert.deepEqual(bed.shim.calls(), [], 'no AWS call')
    }
  })

  test('logs maps the frames of a zip without the loader (index.js with its map inline) with that map', async () => {
    // A function as an older layout deployed it: index.js is the bundle, its map inline; Lambda logs index.js frames.
    await project.edit('socket.js', (s) => s.replace('marker-2', 'marker-3'))
    const bundle = await bundleSocket(path.join(project.dir, 'socket.js'), {
      sourceMap: { map: 'inline', scope: 'user', loader: false },
    })
    assert.deepEqual(
      bundle.files.map((f) => f.name),
      ['index.js'],
    )
    const js = new TextDecoder().decode(bundle.files[0]!.data)
    const before = js.slice(0, js.indexOf('"marker-3"'))
    const line =
      (await readFile(path.join(project.dir, 'socket.js'), 'utf8'))
        .split('\n')
        .findIndex((l) => l.includes('"marker-3"')) + 1
    const { Role } = await aws.iam.send(new GetRoleCommand({ RoleName: 'my-socket-logs-socket-us-east-1' }))
    await aws.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'my-socket-old',
        Role: Role!.Arn!,
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Code: { ZipFile: bundle.zip },
        Publish: true,
      }),
    )
    const group = '/aws/lambda/my-socket-old'
    const stream = '2026/12/07/[1]ffff6666'
    await aws.logs.send(new CreateLogGroupCommand({ logGroupName: group })).catch(() => {})
    await aws.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }))
    const frame = `at Object.handler (/var/task/index.js:${before.split('\n').length}:${before.length - before.lastIndexOf('\n')})`
    await aws.logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        logEvents: [{ timestamp: Date.now() - 1000, message: `Error: older\n${frame}` }],
      }),
    )
    const result = await cli(['logs', '--stage', 'old'], project.dir)
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, new RegExp(`^\\[v1\\] +at Object\\.handler \\(socket\\.js:${line}:\\d+\\)$`, 'm'))
  })

  test('logs --follow prints new events once each, until Ctrl-C', async () => {
    // A log group of its own, as Lambda makes it (no function: its lines are tagged, just never mapped).
    const group = '/aws/lambda/my-socket-follow'
    const stream = '2026/12/07/[2]cccc3333'
    const at = Date.now()
    await aws.logs.send(new CreateLogGroupCommand({ logGroupName: group }))
    await aws.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }))
    const put = (message: string, timestamp: number) =>
      aws.logs.send(
        new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: [{ timestamp, message }] }),
      )
    await put('first', at)
    const running = runNode(BIN, ['logs', '--stage', 'follow', '--follow', '--since', '1m'], { cwd: project.dir })
    await until('the first event', () => (running.stdout().includes(' first\n') ? true : undefined))
    // Same timestamp as the last one shown: the next poll starts there, and must not repeat "first".
    await put('second', at)
    await put('third', at + 5)
    await until('the new events', () => (running.stdout().includes(' third\n') ? true : undefined))
    await new Promise((r) => setTimeout(r, 1500)) // another poll or two
    running.kill('SIGINT')
    const done = await running.done
    assert.equal(done.code, 0, done.stderr)
    const mine = done.stdout.split('\n').filter((l) => /ccc|first|second|third/.test(l))
    assert.deepEqual(
      mine.map((l) => l.replace(/^\[v2\] \S+ /, '')),
      ['first', 'second', 'third'],
    )
  })

  test('logs colours on a terminal (a pseudo-terminal from python3 pty), and not with NO_COLOR', async () => {
    const group = '/aws/lambda/my-socket-colour'
    const stream = '2026/12/07/[4]abcd'
    await aws.logs.send(new CreateLogGroupCommand({ logGroupName: group }))
    await aws.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }))
    await aws.logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        logEvents: [
          { timestamp: Date.now() - 1000, message: 'x\tERROR\tError: boom\n    at f (/var/task/socket.js:3:9)\n' },
        ],
      }),
    )
    // Not spawnSync: the shim answers in this process.
    const onTerminal = async (env: NodeJS.ProcessEnv) => {
      const child = spawn(
        'python3',
        ['-c', 'import pty, sys; pty.spawn(sys.argv[1:])', process.execPath, BIN, 'logs', '--stage', 'colour'],
        { cwd: project.dir, env, stdio: ['ignore', 'pipe', 'inherit'] },
      )
      let out = ''
      child.stdout.on('data', (d) => (out += d))
      await new Promise((resolve) => child.on('close', resolve))
      return out
    }
    const coloured = await onTerminal(process.env)
    assert.ok(coloured.includes('\u001b[2m[v4]\u001b[0m '), JSON.stringify(coloured))
    assert.ok(
      coloured.includes('\u001b[31m    at f (\u001b[1;36msocket.js:3:9\u001b[0;31m)\u001b[0m'),
      JSON.stringify(coloured),
    )
    const plain = await onTerminal({ ...process.env, NO_COLOR: '1' })
    assert.match(plain, /\[v4\] +at f \(socket\.js:3:9\)/)
    assert.ok(!plain.includes('\u001b['), JSON.stringify(plain))
  })

  test('logs of a stage with no log group exits 2 and says so', async () => {
    const missing = await cli(['logs', '--stage', 'nope'], project.dir)
    assert.equal(missing.code, 2, missing.stderr)
    assert.match(
      missing.stderr,
      /^error: stage "nope" of "my-socket" in us-east-1 has no log group \/aws\/lambda\/my-socket-nope: the stage is not deployed there \(check --stage and --region\), or it was removed - the stages of "my-socket" \(local\) in us-east-1 are: logs, pr-3$/m,
    )
  })
})

describe('logs: pure parts', () => {
  test('--since: durations, ISO times, and errors', () => {
    const now = Date.parse('2026-12-07T12:00:00Z')
    assert.equal(sinceValue('30s', now), now - 30_000)
    assert.equal(sinceValue('10m', now), now - 600_000)
    assert.equal(sinceValue('2h', now), now - 7_200_000)
    assert.equal(sinceValue('1d', now), now - 86_400_000)
    assert.equal(sinceValue('2026-12-07T11:00:00Z', now), Date.parse('2026-12-07T11:00:00Z'))
    assert.equal(sinceValue('2026-12-07T11:00:00+01:00', now), Date.parse('2026-12-07T10:00:00Z'))
    assert.throws(() => sinceValue('2026-12-08T00:00:00Z', now), /--since "2026-12-08T00:00:00Z" is in the future/)
    for (const bad of ['', '10', 'm', '-5m', '1.5h', '2026-02-30x', 'now'])
      assert.throws(() => sinceValue(bad, now), /is neither a duration nor an ISO time/, bad)
  })

  test('colour only on a terminal, and never with NO_COLOR or TERM=dumb', () => {
    assert.equal(colourOn({ isTTY: true }, {}), true)
    assert.equal(colourOn({ isTTY: false }, {}), false)
    assert.equal(colourOn({ isTTY: true }, { NO_COLOR: '1' }), false)
    assert.equal(colourOn({ isTTY: true }, { TERM: 'dumb' }), false)
  })

  test('stack frames: through the map into socket.js, not into a dependency, and other /var/task files as they are', () => {
    // Generated line 1: column 0 maps to socket.js 3:5, column 10 to a dependency, column 20 to socket.js 9:1.
    const map = decodeSourceMap({
      version: 3,
      sources: ['socket.js', 'node_modules/dep/index.js'],
      names: [],
      mappings: 'AAEI,UCAA,UDMJ',
    })
    assert.deepEqual(originalPosition(map, 1, 1), { source: 'socket.js', line: 3, column: 5 })
    assert.deepEqual(originalPosition(map, 1, 12), undefined)
    assert.deepEqual(originalPosition(map, 1, 25), { source: 'socket.js', line: 9, column: 1 })
    assert.equal(
      mapStackText(
        'at a (/var/task/bundle.js:1:3)\nat b (/var/task/bundle.js:1:11)\nat file:///var/task/lib/x.js:4:2',
        { 'bundle.js': map },
      ),
      'at a (socket.js:3:5)\nat b (/var/task/bundle.js:1:11)\nat lib/x.js:4:2',
    )
    assert.equal(mapStackText('at a (/var/task/bundle.js:1:3)', undefined), 'at a (/var/task/bundle.js:1:3)')
    assert.equal(mapStackText('at a (/var/task/index.js:1:3)', { 'bundle.js': map }), 'at a (/var/task/index.js:1:3)')
    assert.equal(mapStackText('at a (/var/task/index.js:1:3)', { 'index.js': map }), 'at a (socket.js:3:5)')
  })
})

describe('socket-action init', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'socket-action-init-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  test('writes socket.js, serverless.yml, .gitignore and the workflow, and dev serves what it wrote', async () => {
    const target = path.join(dir, 'Chat App')
    const result = await cli(['init', target], dir)
    assert.equal(result.code, 0, result.stderr)
    for (const file of ['socket.js', 'serverless.yml', '.gitignore', '.github/workflows/socket.yml'])
      assert.match(result.stdout, new RegExp(`wrote +.*${file.replace(/\./g, '\\.')}$`, 'm'))
    const yml = await readFile(path.join(target, 'serverless.yml'), 'utf8')
    assert.match(
      yml,
      /^# yaml-language-server: \$schema=https:\/\/unpkg\.com\/socket-action\/schema\/serverless\.schema\.json\nname: chat-app\n/,
    )
    assert.match(await readFile(path.join(target, '.gitignore'), 'utf8'), /^node_modules\/$/m)

    const dev = await startDev({
      configFile: path.join(target, 'serverless.yml'),
      port: 0,
      log: () => {},
      output: () => {},
    })
    try {
      assert.equal(dev.socket.app, 'chat-app')
      const a = await connect(dev.url)
      const b = await connect(dev.url)
      a.send({ route: 'echo', data: { text: 'hi' } })
      assert.deepEqual(await a.next(), { text: 'hi' })
      b.send('plain text')
      assert.equal(await b.next(), 'plain text')
      a.send({ route: 'broadcast', data: { text: 'all' } })
      const [toA, toB] = [await a.next(), await b.next()]
      assert.deepEqual(toB, { from: toA.from, data: { text: 'all' } })
      assert.deepEqual(toA, toB)
      a.ws.close()
      b.ws.close()
    } finally {
      await dev.close()
    }
  })

  test("the workflow is the README's, without its npm ci step, and actionlint accepts it", async () => {
    const target = path.join(dir, 'Chat App')
    const written = await readFile(path.join(target, '.github/workflows/socket.yml'), 'utf8')
    const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8')
    const block = /```yaml\n(# \.github\/workflows\/socket\.yml\n[\s\S]*?)```/.exec(readme)![1]!
    assert.equal(written, block.replace(/^ {6}- run: npm ci .*\n/m, ''))
    assert.match(written, /^ {8}uses: your-org\/socket-action@v1$/m)
    const actionlint = path.join(REPO_ROOT, '.tools/bin/actionlint')
    if (!existsSync(actionlint)) return
    // Throws with actionlint's findings on stdout if it has any.
    execFileSync(actionlint, ['-no-color', '.github/workflows/socket.yml'], { cwd: target, encoding: 'utf8' })
  })

  test('serverless.yml passes the shipped schema as an editor checks it, and points at the local copy once installed', async () => {
    const { Ajv } = await import('ajv')
    const { parse } = await import('yaml')
    const schemaFile = path.join(REPO_ROOT, 'schema/serverless.schema.json')
    const validate = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(
      JSON.parse(await readFile(schemaFile, 'utf8')) as object,
    )
    const written = await readFile(path.join(dir, 'Chat App', 'serverless.yml'), 'utf8')
    assert.ok(validate(parse(written)), JSON.stringify(validate.errors))

    const installed = path.join(dir, 'installed')
    await mkdir(path.join(installed, 'node_modules/socket-action/schema'), { recursive: true })
    await copyFile(schemaFile, path.join(installed, 'node_modules/socket-action/schema/serverless.schema.json'))
    assert.equal((await cli(['init', 'installed'], dir)).code, 0)
    const local = await readFile(path.join(installed, 'serverless.yml'), 'utf8')
    const first = /^# yaml-language-server: \$schema=(\S+)\n/.exec(local)
    assert.equal(first?.[1], './node_modules/socket-action/schema/serverless.schema.json')
  })

  test('never overwrites: a second run writes nothing, and a file that exists is listed and kept', async () => {
    const target = path.join(dir, 'existing')
    await cli(['init', target], dir).then((r) => assert.equal(r.code, 0, r.stderr))
    await writeFile(path.join(target, 'socket.js'), '// mine\n')
    await rm(path.join(target, '.gitignore'))
    const again = await cli(['init', 'existing'], dir)
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stdout, /^ {2}wrote +existing\/\.gitignore$/m)
    for (const file of ['socket.js', 'serverless.yml', '.github/workflows/socket.yml'])
      assert.match(
        again.stdout,
        new RegExp(`^ {2}skipped existing/${file.replace(/\./g, '\\.')} \\(it exists; left as it is\\)$`, 'm'),
      )
    assert.equal(await readFile(path.join(target, 'socket.js'), 'utf8'), '// mine\n')
    const third = await cli(['init', 'existing'], dir)
    assert.match(third.stdout, /^Nothing written: every file exists\.$/m)

    await writeFile(path.join(dir, 'a-file'), '')
    const onFile = await cli(['init', 'a-file'], dir)
    assert.equal(onFile.code, 2)
    assert.match(onFile.stderr, /the dir argument "a-file" is a file, not a folder/)
  })
})
