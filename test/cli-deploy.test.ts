// `socket-action plan|deploy|remove` as a user runs them, against moto through AWS_ENDPOINT_URL.
import assert from 'node:assert/strict'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { CreateHostedZoneCommand } from '@aws-sdk/client-route-53'
import { issueCertificate } from './helpers/acm-certificates.ts'
import { scratchProject, startAwsBed, type AwsBed, type Project } from './helpers/aws-bed.ts'
import { sdk } from './helpers/aws-state.ts'
import { runNode } from './helpers/processes.ts'

const BIN = path.join(import.meta.dirname, '../src/cli/bin.js')

const cli = (args: string[], cwd: string, env?: NodeJS.ProcessEnv) => runNode(BIN, args, { cwd, env }).done

describe('socket-action plan, deploy, remove', () => {
  let bed: AwsBed
  let project: Project
  before(async () => {
    bed = await startAwsBed()
    project = await scratchProject()
  })
  after(async () => {
    await project.remove()
    await bed.stop()
  })

  test('plan, deploy, redeploy, remove round trip', async () => {
    const planned = await cli(['plan', '.', '--stage', 'pr-7'], project.dir)
    assert.equal(planned.code, 0, planned.stderr)
    assert.match(planned.stdout, /\+ api my-socket-pr-7/)
    assert.match(planned.stdout, /\+ function my-socket-pr-7/)
    assert.match(
      planned.stdout,
      /Plan: \d+ to create, 0 to update, 0 to delete; the new version is smoke-tested before live moves to it\./,
    )
    assert.deepEqual(bed.shim.writes(), [], 'plan writes nothing')

    const deployed = await cli(['deploy', '.', '--stage', 'pr-7', '--json'], project.dir)
    assert.equal(deployed.code, 0, deployed.stderr)
    const out = JSON.parse(deployed.stdout)
    assert.match(out.url, /^wss:\/\/\w+\.execute-api\.us-east-1\.amazonaws\.com\/pr-7$/)
    assert.equal(out.functionName, 'my-socket-pr-7')
    assert.equal(out.changed, true)
    assert.deepEqual(out.routes, ['$connect', '$disconnect', '$default'])

    const again = await cli(['deploy', '.', '--stage', 'pr-7'], project.dir)
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stdout, /^Unchanged: nothing to do/m)
    assert.match(again.stdout, new RegExp(`url: +${out.url.replace(/[/.]/g, '\\$&')}`))

    const removed = await cli(['remove', '.', '--stage', 'pr-7'], project.dir)
    assert.equal(removed.code, 0, removed.stderr)
    assert.match(removed.stdout, /Removed stage "pr-7"/)
    const nothing = await cli(['remove', '.', '--stage', 'pr-7'], project.dir)
    assert.match(nothing.stdout, /Nothing to remove/)
  })

  test('a bad serverless.yml fails before any AWS call', async () => {
    await project.edit('serverless.yml', (s) => s.replace('region: us-east-1', 'regoin: us-east-1'))
    bed.shim.clearCalls()
    const result = await cli(['deploy', '.', '--stage', 'prod'], project.dir)
    assert.equal(result.code, 2, 'a config error is the input to fix')
    assert.match(result.stderr, /serverless\.yml:10:5: error: unknown input "regoin" - did you mean "region"\?/)
    assert.deepEqual(bed.shim.calls(), [])
    await project.edit('serverless.yml', (s) => s.replace('regoin: us-east-1', 'region: us-east-1'))
  })

  test('--region overrides serverless.yml', async () => {
    const result = await cli(['deploy', '.', '--stage', 'eu', '--region', 'eu-west-1', '--json'], project.dir)
    assert.equal(result.code, 0, result.stderr)
    assert.equal(JSON.parse(result.stdout).region, 'eu-west-1')
    assert.match(JSON.parse(result.stdout).url, /\.eu-west-1\.amazonaws\.com\/eu$/)
  })

  test("without --stage, the stage is serverless.yml's", async () => {
    const planned = await cli(['plan', '--json'], project.dir)
    assert.equal(planned.code, 0, planned.stderr)
    assert.equal(JSON.parse(planned.stdout).stage, 'dev')
    await project.edit('serverless.yml', (s) => s.replace('stage: dev', 'stage: qa'))
    const fromYaml = await cli(['plan', '--json'], project.dir)
    assert.equal(JSON.parse(fromYaml.stdout).stage, 'qa')
    await project.edit('serverless.yml', (s) => s.replace('stage: qa', 'stage: dev'))
  })

  test("smoke.headers and smoke.query from the environment reach the smoke test's $connect, and are never printed", async () => {
    const guarded = await scratchProject()
    try {
      // Accepts only the right token, and answers anything else with what it got: a failure that echoes it.
      await guarded.edit(
        'socket.js',
        () => `
on('connect', async (data) => {
  const { Authorization } = data.headers
  return Authorization === 'Bearer sv-right-smoke-token' && data.query.key === 'sv-right-smoke-token'
    ? 200
    : { statusCode: 401, body: 'refused ' + Authorization + ' and ' + data.query.key }
})
on('ping', async (data, socket) => { await socket.send('pong') })
`,
      )
      await guarded.edit(
        'serverless.yml',
        (s) =>
          `${s}    smoke:\n      message: '{"route":"ping"}'\n      expect: pong\n      headers: { Authorization: "Bearer \${env.SMOKE_TOKEN}" }\n      query: { key: "\${env.SMOKE_TOKEN}" }\n`,
      )
      const run = (args: string[], token: string) => cli(args, guarded.dir, { ...process.env, SMOKE_TOKEN: token })
      const printed = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr

      const refused = await run(['deploy', '--stage', 'guarded'], 'sv-wrong-smoke-token')
      assert.notEqual(refused.code, 0, 'the smoke test fails')
      assert.match(
        refused.stderr,
        /\$connect answered 401 with body "refused Bearer \*\*\* and \*\*\*": .*refused the smoke test's \$connect with smoke\.headers and smoke\.query/,
      )
      assert.ok(!printed(refused).includes('sv-wrong-smoke-token'), printed(refused))

      const planned = await run(['plan', '--stage', 'guarded'], 'sv-right-smoke-token')
      assert.equal(planned.code, 0, planned.stderr)
      const deployed = await run(['deploy', '--stage', 'guarded', '--json'], 'sv-right-smoke-token')
      assert.equal(deployed.code, 0, deployed.stderr)
      assert.equal(JSON.parse(deployed.stdout).changed, true)
      for (const r of [planned, deployed]) assert.ok(!printed(r).includes('sv-right-smoke-token'), printed(r))
    } finally {
      await guarded.remove()
    }
  })

  test('a wait over a second is reported on stderr as plain lines when it is not a terminal, without env values', async () => {
    // Two Pending reads: the SDK waiter polls again after 1 s, then after 1-2 s: a wait of 2-3 s.
    bed.shim.configure({ pendingReads: 2 })
    await project.edit('serverless.yml', (s) => s.replace('TABLE_NAME: my-table', 'TABLE_NAME: ${env.SECRET_TABLE}'))
    try {
      const result = await cli(['deploy', '--stage', 'slow'], project.dir, {
        ...process.env,
        SECRET_TABLE: 'table-that-is-a-secret',
      })
      assert.equal(result.code, 0, result.stderr)
      const lines = result.stderr.split('\n')
      const waiting = lines.filter((l) => l.includes('function my-socket-slow to become Active'))
      assert.equal(waiting[0], 'waiting for function my-socket-slow to become Active… 1 s', result.stderr)
      assert.match(waiting.at(-1)!, /^waited [23] s for function my-socket-slow to become Active$/)
      assert.ok(
        waiting.length <= 3,
        `one line when it starts, one at most every 5 s, one at the end: ${waiting.join(' | ')}`,
      )
      assert.ok(
        !result.stderr.includes('\r') && !result.stderr.includes('\x1b['),
        'no terminal control characters in a log',
      )
      assert.ok(
        !result.stderr.includes('table-that-is-a-secret') && !result.stdout.includes('table-that-is-a-secret'),
        'env values are never printed',
      )
    } finally {
      bed.shim.configure({ pendingReads: 1 })
      await project.edit('serverless.yml', (s) => s.replace('TABLE_NAME: ${env.SECRET_TABLE}', 'TABLE_NAME: my-table'))
    }
  })

  test('--domain and --hosted-zone: plan shows the domain, deploy prints both URLs, a bad name is a usage error before any AWS call', async () => {
    const { route53 } = sdk()
    await route53.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `cli-${Date.now()}` }))
    route53.destroy()
    await issueCertificate(bed.shim, '*.ws.example.com')
    const flags = ['--stage', 'pr-8', '--domain', '{stage}.ws.example.com', '--hosted-zone', 'example.com']

    const planned = await cli(['plan', '.', ...flags], project.dir)
    assert.equal(planned.code, 0, planned.stderr)
    assert.match(planned.stdout, /\+ domain pr-8\.ws\.example\.com/)
    assert.match(planned.stdout, /\+ dns-record pr-8\.ws\.example\.com/)

    const deployed = await cli(['deploy', '.', ...flags, '--json'], project.dir)
    assert.equal(deployed.code, 0, deployed.stderr)
    const out = JSON.parse(deployed.stdout)
    assert.equal(out.url, 'wss://pr-8.ws.example.com')
    assert.equal(out.domain, 'pr-8.ws.example.com')
    assert.match(out.apiUrl, /^wss:\/\/\w+\.execute-api\.us-east-1\.amazonaws\.com\/pr-8$/)
    const text = await cli(['deploy', '.', ...flags], project.dir)
    assert.match(text.stdout, /^ {2}url: +wss:\/\/pr-8\.ws\.example\.com$/m)
    assert.match(text.stdout, new RegExp(`^  api url: +${out.apiUrl.replace(/[/.]/g, '\\$&')}$`, 'm'))

    bed.shim.clearCalls()
    const bad = await cli(['deploy', '.', '--stage', 'pr-8', '--domain', 'https://ws.example.com'], project.dir)
    assert.equal(bad.code, 2, bad.stderr)
    assert.match(bad.stderr, /--domain/)
    assert.deepEqual(bed.shim.calls(), [], 'no AWS call')
    const removed = await cli(['remove', '.', '--stage', 'pr-8'], project.dir)
    assert.equal(removed.code, 0, removed.stderr)
  })
})
