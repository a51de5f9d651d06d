// The Action run the way the runner runs it: `node dist/index.js` from a folder holding only what git tracks of
// action.yml and dist/ at HEAD (what a tag gives users; commit before running),
// with INPUT_* variables, an event file, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, GitHub's REST API and OIDC issuer
// served locally, and AWS being moto behind the shim.
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, beforeEach, describe, test } from 'node:test'
import { scratchProject, startAwsBed, type AwsBed, type Project } from './helpers/aws-bed.ts'
import { GetAliasCommand } from '@aws-sdk/client-lambda'
import { startDev } from '../src/dev/serve.ts'
import { CreateHostedZoneCommand } from '@aws-sdk/client-route-53'
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm'
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda'
import { issueCertificate } from './helpers/acm-certificates.ts'
import { readAccount, sdk } from './helpers/aws-state.ts'
import { prEvent, pushEvent, REPO, repository } from './helpers/events.ts'
import { startFakeGitHub, type FakeGitHub } from './helpers/github-fake.ts'
import { runNode } from './helpers/processes.ts'
import { trackedCopy } from './helpers/tracked.ts'

const ROOT = path.join(import.meta.dirname, '..')
const ROLE = 'arn:aws:iam::123456789012:role/socket-deployer'

interface ActionRun {
  code: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
}

function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const re = /^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm
  for (const m of text.matchAll(re)) out[m[1]!] = m[3]!
  return out
}

describe('the Action (node dist/index.js)', () => {
  let bed: AwsBed
  let gh: FakeGitHub
  let actionDir: string
  let project: Project
  let scratch: string

  before(async () => {
    // The edge serves deployed stages at their real URLs, custom domains through Route 53, behind HTTPS_PROXY.
    bed = await startAwsBed({ edge: true })
    gh = await startFakeGitHub(REPO)
    actionDir = await trackedCopy('socket-action-checkout-', ['action.yml', 'dist'])
    scratch = await mkdtemp(path.join(tmpdir(), 'socket-action-runner-'))
  })
  after(async () => {
    await project?.remove()
    await gh.close()
    await bed.stop()
    await rm(actionDir, { recursive: true, force: true })
    await rm(scratch, { recursive: true, force: true })
  })
  beforeEach(async () => {
    await bed.reset()
    // The runner's view: moto's simulated states last one read, role propagation one call.
    gh.comments.length = 0
    gh.deployments.length = 0
    gh.requests.length = 0
    gh.pulls.clear()
    await project?.remove()
    project = await scratchProject()
  })

  async function runAction(
    eventName: string,
    payload: unknown,
    inputs: Record<string, string> = {},
    env: Record<string, string | undefined> = {},
  ): Promise<ActionRun> {
    const eventPath = path.join(scratch, 'event.json')
    const outputPath = path.join(scratch, `output-${Date.now()}`)
    const summaryPath = path.join(scratch, `summary-${Date.now()}`)
    await writeFile(eventPath, JSON.stringify(payload))
    await writeFile(outputPath, '')
    await writeFile(summaryPath, '')
    const allInputs: Record<string, string> = {
      command: 'auto',
      config: '',
      'working-directory': '.',
      'role-to-assume': ROLE,
      'role-session-name': 'GitHubActions',
      'role-duration-seconds': '3600',
      audience: 'sts.amazonaws.com',
      'github-token': 'ghs_fake_installation_token',
      comment: 'true',
      'dry-run': 'true',
      // moto's wss:// URLs resolve nowhere: tests of verify map it to a local gateway with verify-url.
      verify: 'false',
      ...inputs,
    }
    const childEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? scratch,
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_EVENT_NAME: eventName,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_OUTPUT: outputPath,
      GITHUB_STEP_SUMMARY: summaryPath,
      GITHUB_API_URL: gh.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: REPO,
      GITHUB_RUN_ID: '4242',
      GITHUB_SHA: (payload as { after?: string }).after ?? 'd'.repeat(40),
      GITHUB_REF: eventName === 'push' ? (payload as { ref: string }).ref : 'refs/pull/42/merge',
      GITHUB_WORKSPACE: project.dir,
      RUNNER_TEMP: scratch,
      ACTIONS_ID_TOKEN_REQUEST_URL: gh.oidcUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: gh.oidcToken,
      AWS_ENDPOINT_URL: bed.shim.endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    }
    for (const [name, value] of Object.entries(allInputs))
      childEnv[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined) delete childEnv[name]
      else childEnv[name] = value
    }
    const { code, stdout, stderr } = await runNode(path.join(actionDir, 'dist/index.js'), [], {
      cwd: project.dir,
      env: childEnv,
    }).done
    return {
      code,
      stdout,
      stderr,
      outputs: parseOutputs(await readFile(outputPath, 'utf8')),
      summary: await readFile(summaryPath, 'utf8'),
    }
  }

  const resourceWrites = () => bed.shim.writes().map((c) => c.operation)

  const stageResources = async (stage: string) => {
    const state = await readAccount()
    const ours = (tags: Record<string, string>) =>
      tags['socket-action:stage'] === stage && tags['socket-action:repo'] === REPO
    return {
      roles: state.roles.filter((r) => ours(r.tags)),
      functions: state.functions.filter((f) => ours(f.tags)),
      apis: state.apis.filter((a) => ours(a.tags)),
    }
  }

  test('PR opened deploys pr-N; synchronize without change writes nothing and updates the same comment; closed removes it', async () => {
    const opened = await runAction('pull_request', prEvent('opened', 42))
    assert.equal(opened.code, 0, opened.stdout + opened.stderr)
    assert.equal(opened.outputs.result, 'deployed')
    assert.equal(opened.outputs.stage, 'pr-42')
    assert.equal(opened.outputs.region, 'us-east-1')
    assert.equal(opened.outputs['function-name'], 'my-socket-pr-42')
    assert.match(opened.outputs.url!, /^wss:\/\/\w+\.execute-api\.us-east-1\.amazonaws\.com\/pr-42$/)
    assert.equal(opened.outputs['api-id'], opened.outputs.url!.slice(6).split('.')[0])
    assert.equal(opened.outputs.changed, 'true')
    const live = await stageResources('pr-42')
    assert.equal(live.functions.length, 1)
    assert.equal(live.apis.length, 1)
    assert.equal(live.roles.length, 1)

    // OIDC: the token was requested with the runner's bearer token and the audience, and the keys were masked.
    const oidc = gh.requests.find((r) => r.path.startsWith('/_oidc/token'))
    assert.ok(oidc?.path.includes('audience=sts.amazonaws.com') && oidc.authorization === `Bearer ${gh.oidcToken}`)
    assert.ok(bed.shim.calls().some((c) => c.operation === 'AssumeRoleWithWebIdentity'))
    // The ID token (masked by @actions/core) and the three credentials.
    assert.equal((opened.stdout.match(/^::add-mask::/gm) ?? []).length, 4)

    assert.equal(gh.comments.length, 1)
    const comment = gh.comments[0]!
    assert.equal(comment.issue, 42)
    assert.ok(comment.body.startsWith('<!-- socket-action:stage=pr-42 app=my-socket -->'))
    assert.ok(comment.body.includes(opened.outputs.url!))
    assert.ok(comment.body.includes(`npx wscat -c ${opened.outputs.url}`))
    assert.ok(comment.body.includes('`a1b2c3d`'))
    assert.match(
      opened.stdout,
      /^::group::Plan pr-42\n[\s\S]*\+ function my-socket-pr-42[\s\S]*^::group::Apply pr-42\n[\s\S]*create function my-socket-pr-42 \(\d+ ms\)[\s\S]*^::endgroup::/m,
    )
    assert.match(opened.summary, /pr-42/)
    assert.ok(opened.summary.includes(opened.outputs.url!))
    assert.equal(gh.deployments.length, 1)
    assert.equal(gh.deployments[0]!.environment, 'pr-42')
    assert.deepEqual(gh.deployments[0]!.statuses, [{ state: 'success', environment_url: opened.outputs.url }])

    bed.shim.clearCalls()
    const sync = await runAction('pull_request', prEvent('synchronize', 42, { sha: 'e'.repeat(40) }))
    assert.equal(sync.code, 0, sync.stdout + sync.stderr)
    assert.equal(sync.outputs.result, 'unchanged')
    assert.equal(sync.outputs.changed, 'false')
    assert.equal(sync.outputs.url, opened.outputs.url)
    assert.deepEqual(resourceWrites(), [], 'no AWS writes')
    assert.equal(gh.comments.length, 1, 'never a second comment')
    assert.equal(gh.comments[0]!.id, comment.id)
    assert.ok(gh.comments[0]!.body.includes('`eeeeeee`'), 'the comment shows the new commit')

    const closed = await runAction('pull_request', prEvent('closed', 42))
    assert.equal(closed.code, 0, closed.stdout + closed.stderr)
    assert.equal(closed.outputs.result, 'removed')
    assert.deepEqual(await stageResources('pr-42'), { roles: [], functions: [], apis: [] })
    assert.equal(gh.comments.length, 1)
    assert.match(gh.comments[0]!.body, /`pr-42` was removed/)
    assert.deepEqual(gh.deployments[0]!.statuses.at(-1), { state: 'inactive', environment_url: undefined })
    // No GitHub call of the whole lifecycle is one GitHub refuses: the comment's author is GraphQL's viewer, since
    // GET /user answers the GITHUB_TOKEN 403.
    assert.deepEqual(
      gh.refused().map((r) => `${r.method} ${r.path} ${r.status}`),
      [],
    )
    assert.ok(gh.requests.some((r) => r.path === '/graphql'))
  })

  test('push to main deploys the mapped stage; a stage input wins', async () => {
    const mapped = await runAction('push', pushEvent('main'), { stages: 'main: prod\nrelease/*: staging' })
    assert.equal(mapped.code, 0, mapped.stdout + mapped.stderr)
    assert.equal(mapped.outputs.stage, 'prod')
    assert.equal((await stageResources('prod')).functions.length, 1)
    assert.equal(gh.comments.length, 0, 'no PR, no comment')

    const release = await runAction('push', pushEvent('release/2.0'), { stages: 'main: prod\nrelease/*: staging' })
    assert.equal(release.outputs.stage, 'staging')

    const unmapped = await runAction('push', pushEvent('main'))
    assert.equal(unmapped.outputs.stage, 'dev', "the default branch falls back to serverless.yml's stage")

    const explicit = await runAction('push', pushEvent('main'), { stages: 'main: prod', stage: 'demo' })
    assert.equal(explicit.outputs.stage, 'demo')
    assert.equal((await stageResources('demo')).functions.length, 1)
  })

  test('verify connects to the deployed stage as a client, here a local gateway serving the same socket.js', async () => {
    const gateway = await startDev({ configFile: project.config, port: 0, log: () => {} })
    try {
      const run = await runAction('push', pushEvent('main'), {
        stages: 'main: prod',
        verify: 'auto',
        'verify-url': gateway.url,
      })
      assert.equal(run.code, 0, run.stdout + run.stderr)
      assert.match(run.stdout, new RegExp(`verified ${gateway.url}`))
      assert.equal(run.outputs.result, 'deployed')
    } finally {
      await gateway.close()
    }
  })

  test('a custom domain per PR: the url output, the comment and verify use it (through the edge, as behind a proxy); the api-url stays; closing the PR removes the domain name', async () => {
    const { route53 } = sdk()
    await route53.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `action-${Date.now()}` }))
    route53.destroy()
    await issueCertificate(bed.shim, '*.ws.example.com')
    const inputs = { domain: '{stage}.ws.example.com', 'hosted-zone': 'example.com', verify: 'true' }
    // The runner reaches the stage through a proxy that trusts the edge's CA: what verify honours on GitHub's runners.
    const env = { HTTPS_PROXY: bed.edge!.proxyUrl, NODE_EXTRA_CA_CERTS: bed.edge!.caFile }
    const opened = await runAction('pull_request', prEvent('opened', 42), inputs, env)
    assert.equal(opened.code, 0, opened.stdout + opened.stderr)
    assert.equal(opened.outputs.url, 'wss://pr-42.ws.example.com')
    assert.equal(opened.outputs.domain, 'pr-42.ws.example.com')
    assert.match(opened.outputs['api-url']!, /^wss:\/\/\w+\.execute-api\.us-east-1\.amazonaws\.com\/pr-42$/)
    assert.match(opened.stdout, /verified wss:\/\/pr-42\.ws\.example\.com/)
    const comment = gh.comments[0]!.body
    assert.ok(comment.includes('npx wscat -c wss://pr-42.ws.example.com'), comment)
    assert.ok(comment.includes(opened.outputs['api-url']!), 'the execute-api URL is in the comment')
    assert.ok(opened.summary.includes(opened.outputs['api-url']!), 'and in the summary')
    assert.deepEqual(gh.deployments[0]!.statuses, [{ state: 'success', environment_url: opened.outputs.url }])
    const deployed = await readAccount()
    assert.deepEqual(
      deployed.domains?.map((d) => [d.name, d.tags['socket-action:repo'], d.mappings.length]),
      [['pr-42.ws.example.com', REPO, 1]],
    )

    const closed = await runAction('pull_request', prEvent('closed', 42), inputs, env)
    assert.equal(closed.code, 0, closed.stdout + closed.stderr)
    const left = await readAccount()
    assert.equal(left.domains, undefined, 'the domain name it made is gone')
    assert.equal(left.records, undefined, 'and its record')
  })

  test('a version that passes the smoke test but that clients cannot use is rolled back by verify, and the job fails', async () => {
    const first = await runAction('push', pushEvent('main'), { stages: 'main: prod' })
    assert.equal(first.code, 0, first.stdout + first.stderr)
    // Accepts only the smoke test's own User-Agent: the smoke test (with a message, so $connect must say 2xx)
    // passes, and a real client gets 403.
    await writeFile(
      path.join(project.dir, 'socket.js'),
      "on('connect', async (data) => (data.headers['User-Agent'] === 'socket-action-smoke-test' ? 200 : 403))\n" +
        "on('default', async (data, socket) => { await socket.send(data) })\n",
    )
    const config = (await readFile(project.config, 'utf8')).trimEnd()
    await writeFile(project.config, `${config}\n    smoke:\n      message: '{"route":"ping"}'\n      expect: ping\n`)
    const gateway = await startDev({ configFile: project.config, port: 0, log: () => {} })
    try {
      const run = await runAction('push', pushEvent('main'), {
        stages: 'main: prod',
        verify: 'true',
        'verify-url': gateway.url,
      })
      assert.equal(run.code, 1)
      assert.match(
        run.stdout,
        /::error::.*does not work: the \$connect handshake was answered 403.*live was rolled back to version 1 \(from 2\)/,
      )
    } finally {
      await gateway.close()
    }
    const alias = await sdk().lambda.send(new GetAliasCommand({ FunctionName: 'my-socket-prod', Name: 'live' }))
    assert.equal(alias.FunctionVersion, '1')
    const updates = bed.shim.writes().filter((w) => w.operation === 'UpdateAlias')
    assert.equal(updates.length, 2, 'one move to version 2, one back to 1')
  })

  test('smoke.headers and smoke.query from a secret pass the smoke test and verify, and are masked everywhere the Action writes', async () => {
    const token = 'sv-action-smoke-token'
    await writeFile(
      path.join(project.dir, 'socket.js'),
      `on('connect', async (data) =>
  data.headers.Authorization === 'Bearer ${token}' && data.query.key === '${token}'
    ? 200
    : { statusCode: 401, body: 'refused ' + data.headers.Authorization + ' and ' + data.query.key })
on('ping', async (data, socket) => { await socket.send('pong') })
`,
    )
    const config = (await readFile(project.config, 'utf8')).trimEnd()
    await writeFile(
      project.config,
      `${config}\n    smoke:\n      message: '{"route":"ping"}'\n      expect: pong\n      headers: { Authorization: "Bearer \${env.SMOKE_TOKEN}" }\n      query: { key: "\${env.SMOKE_TOKEN}" }\n`,
    )
    /** Everything the run wrote but the runner's own add-mask command, which carries the value for the runner. */
    const written = (run: ActionRun) =>
      [run.stdout.replace(/^::add-mask::.*$/gm, ''), run.stderr, run.summary, JSON.stringify(run.outputs)].join('\n')
    const gateway = await startDev({ configFile: project.config, port: 0, log: () => {}, env: { SMOKE_TOKEN: token } })
    try {
      const run = await runAction(
        'push',
        pushEvent('main'),
        { stages: 'main: prod', verify: 'true', 'verify-url': gateway.url },
        { SMOKE_TOKEN: token },
      )
      assert.equal(run.code, 0, run.stdout + run.stderr)
      assert.match(run.stdout, new RegExp(`verified ${gateway.url}: the reply contains "pong"`))
      assert.match(run.stdout, new RegExp(`^::add-mask::${token}$`, 'm'), 'registered with the runner')
      assert.ok(!written(run).includes(token), written(run))

      await writeFile(
        path.join(project.dir, 'socket.js'),
        `${await readFile(path.join(project.dir, 'socket.js'), 'utf8')}on('v2', async () => {})\n`,
      )
      const refused = await runAction(
        'push',
        pushEvent('main'),
        { stages: 'main: prod' },
        { SMOKE_TOKEN: 'sv-action-wrong-token' },
      )
      assert.equal(refused.code, 1, refused.stdout)
      assert.match(refused.stdout, /::error::.*\$connect answered 401 with body \\?"refused Bearer \*\*\* and \*\*\*/)
      assert.ok(!written(refused).includes('sv-action-wrong-token'), written(refused))
    } finally {
      await gateway.close()
    }
  })

  test('a fork PR is skipped before any AWS call or comment write', async () => {
    const run = await runAction(
      'pull_request',
      prEvent('opened', 7, { fork: true }),
      {},
      { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined },
    )
    assert.equal(run.code, 0, run.stdout + run.stderr)
    assert.equal(run.outputs.result, 'skipped')
    assert.match(run.stdout, /::warning::pull request #7 comes from a fork/)
    assert.deepEqual(bed.shim.calls(), [])
    assert.deepEqual(gh.writes(), [])
  })

  test('without id-token permission it fails and names the fix', async () => {
    const run = await runAction(
      'pull_request',
      prEvent('opened', 8),
      {},
      { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined },
    )
    assert.equal(run.code, 1)
    assert.match(run.stdout, /::error::.*permissions: id-token: write/)
    assert.deepEqual(bed.shim.calls(), [])
  })

  test('a bad serverless.yml fails with an annotation on its line and no AWS call', async () => {
    await project.edit('serverless.yml', (s) => s.replace('region: us-east-1', 'regoin: us-east-1'))
    const run = await runAction('pull_request', prEvent('opened', 9))
    assert.equal(run.code, 1)
    assert.match(
      run.stdout,
      /::error title=socket-action,file=serverless\.yml,line=10,col=5::unknown input "regoin" - did you mean "region"\?/,
    )
    assert.deepEqual(bed.shim.calls(), [])
  })

  test('serverless.yml secrets: the smoke test passes only if the handler sees them; no value in the configuration, the log, outputs, summary or comment', async () => {
    const STRIPE = 'sk_live_action-7Zq1'
    const DB = 'postgres://action:pw-4Rt8@db'
    const ssm = new SSMClient({})
    const sm = new SecretsManagerClient({})
    await ssm.send(new PutParameterCommand({ Name: '/my-socket/pr-23/stripe', Type: 'SecureString', Value: STRIPE }))
    await sm.send(new CreateSecretCommand({ Name: 'my-socket/pr-23/db', SecretString: DB }))
    ssm.destroy()
    sm.destroy()
    // $connect admits the smoke test (which sends a message, so needs a 2xx) only when both values arrived.
    await project.edit(
      'socket.js',
      () =>
        `on('connect', async () => (process.env.STRIPE_KEY === ${JSON.stringify(STRIPE)} && process.env.DB_URL === ${JSON.stringify(DB)} ? 200 : 401))\n` +
        "on('default', async (data, socket) => { await socket.send(data) })\n",
    )
    await project.edit('serverless.yml', (s) =>
      s.replace(
        /^ {2}inputs:\n/m,
        '  inputs:\n    secrets:\n      STRIPE_KEY: ssm:/my-socket/{stage}/stripe\n      DB_URL: secretsmanager:my-socket/{stage}/db\n' +
          '    smoke:\n      message: ping\n      expect: ping\n',
      ),
    )
    const run = await runAction('pull_request', prEvent('opened', 23))
    assert.equal(run.code, 0, run.stdout + run.stderr)
    assert.equal(run.outputs.result, 'deployed')
    assert.match(run.stdout, /smoke/i)
    const { lambda } = sdk()
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'my-socket-pr-23' }))
    lambda.destroy()
    const everything = [
      run.stdout,
      run.stderr,
      run.summary,
      JSON.stringify(run.outputs),
      ...gh.comments.map((c) => c.body),
      JSON.stringify(config),
    ].join('\n')
    for (const value of [STRIPE, DB, 'pw-4Rt8'])
      assert.ok(!everything.includes(value), `${value} appears nowhere the Action writes nor in the configuration`)
    assert.match(config.Environment?.Variables?.SOCKET_ACTION_SECRETS ?? '', /ssm:\/my-socket\/pr-23\/stripe/)
  })

  test('a secret read through ${env.X} reaches no log line, output, summary or comment: deployed, failed, rejected', async () => {
    const SECRET = 'sv-action-secret-7Hq2'
    const env = { SECRET_API_KEY: SECRET, SECRET_DESCRIPTION: `sv-description-${SECRET}` }
    await project.edit('serverless.yml', (s) =>
      s
        .replace('TABLE_NAME: my-table', 'TABLE_NAME: my-table\n      API_KEY: ${env.SECRET_API_KEY}')
        .replace('description: My Socket Backend', 'description: ${env.SECRET_DESCRIPTION}'),
    )
    const scan = (run: ActionRun, what: string, values = Object.values(env)) => {
      // The runner reads ::add-mask:: and shows the log with the value masked: those lines are not the log.
      const log = run.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n')
      const everything = [log, run.stderr, JSON.stringify(run.outputs), run.summary, ...gh.comments.map((c) => c.body)]
      for (const value of values)
        assert.ok(!everything.join('\n').includes(value), `${what}: a secret was printed or posted`)
    }

    const deployed = await runAction('pull_request', prEvent('opened', 21), {}, env)
    assert.equal(deployed.code, 0, deployed.stdout)
    for (const value of Object.values(env))
      assert.ok(
        deployed.stdout.split('\n').includes(`::add-mask::${value}`),
        'each value is registered with the runner',
      )
    assert.match(deployed.summary, /pr-21/)
    scan(deployed, 'deployed')

    // AWS answers with an error that quotes what it was sent: the log, the annotation and the comment mask it.
    bed.shim.fault({
      operation: 'UpdateFunctionConfiguration',
      times: Infinity,
      status: 400,
      errorType: 'InvalidParameterValueException',
      message: `Description ${env.SECRET_DESCRIPTION}2 is not allowed`,
    })
    const failedEnv = { ...env, SECRET_DESCRIPTION: `${env.SECRET_DESCRIPTION}2` }
    const failed = await runAction('pull_request', prEvent('synchronize', 21), {}, failedEnv)
    assert.equal(failed.code, 1, failed.stdout)
    assert.match(gh.comments[0]!.body, /failed/)
    assert.match(gh.comments[0]!.body, /Description \*\*\* is not allowed/)
    scan(failed, 'failed', Object.values(failedEnv))

    // Rejected: the secret in a field that must be a number; the annotation shows the reference, not the value.
    await project.edit('serverless.yml', (s) => s.replace('memory: 128', 'memory: ${env.SECRET_API_KEY}'))
    const rejected = await runAction('pull_request', prEvent('synchronize', 21), {}, env)
    assert.equal(rejected.code, 1)
    assert.match(
      rejected.stdout,
      /::error title=socket-action,file=serverless\.yml,line=\d+.*\$\{env\.SECRET_API_KEY\}/,
    )
    scan(rejected, 'rejected')
  })

  test('a secret in any field serverless.yml takes from ${env.X}, with a value that field rejects, is printed nowhere', async () => {
    const inputs = (line: string) =>
      `Socket:\n  component: "@serverless/socket"\n  inputs:\n    region: us-east-1\n${line}`
    const fields: Array<[string, string, string]> = [
      ['top-level stage', `stage: \${env.SECRET_FIELD}\n${inputs('')}`, 'sv bad/stage'],
      ['name', inputs('    name: ${env.SECRET_FIELD}\n'), 'sv invalid name!'],
      ['description', inputs('    description: ${env.SECRET_FIELD}\n'), `sv-${'d'.repeat(300)}`],
      ['region', inputs('').replace('region: us-east-1', 'region: ${env.SECRET_FIELD}'), 'sv-no-region'],
      ['memory', inputs('    memory: ${env.SECRET_FIELD}\n'), 'sv-lots-of-memory'],
      ['timeout', inputs('    timeout: ${env.SECRET_FIELD}\n'), 'sv-long-timeout'],
      ['runtime', inputs('    runtime: ${env.SECRET_FIELD}\n'), 'sv-node-runtime'],
      ['architecture', inputs('    architecture: ${env.SECRET_FIELD}\n'), 'sv-architecture'],
      ['logRetentionDays', inputs('    logRetentionDays: ${env.SECRET_FIELD}\n'), 'sv-retention'],
      ['throttle', inputs('    throttle:\n      burstLimit: ${env.SECRET_FIELD}\n'), 'sv-burst-limit'],
      ['permissionsBoundary', inputs('    permissionsBoundary: ${env.SECRET_FIELD}\n'), 'sv-not-an-arn'],
      ['code', inputs('    code: ${env.SECRET_FIELD}\n'), 'sv-missing-code-folder'],
      [
        'policy Resource',
        inputs(
          '    policy:\n      - Effect: Allow\n        Action: "s3:GetObject"\n        Resource: ${env.SECRET_FIELD}\n',
        ),
        'sv-not-a-resource-arn',
      ],
      [
        'policy Action',
        inputs('    policy:\n      - Effect: Allow\n        Action: ${env.SECRET_FIELD}\n        Resource: "*"\n'),
        'sv action without service',
      ],
      ['env (over 4 KB)', inputs('    env:\n      BIG: ${env.SECRET_FIELD}\n'), `sv-${'e'.repeat(5000)}`],
    ]
    for (const [field, config, secret] of fields) {
      await writeFile(project.config, config)
      gh.comments.length = 0
      const run = await runAction('pull_request', prEvent('opened', 31), {}, { SECRET_FIELD: secret })
      assert.equal(run.code, 1, `${field}: rejected`)
      assert.match(run.stdout, /::error title=socket-action,file=serverless\.yml,line=\d+/, `${field}: annotated`)
      const log = run.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n')
      const everything = [log, run.stderr, JSON.stringify(run.outputs), run.summary, ...gh.comments.map((c) => c.body)]
      assert.ok(!everything.join('\n').includes(secret), `${field}: the value was printed or posted:\n${log}`)
    }
    assert.deepEqual(bed.shim.writes(), [])
  })

  test('sweep lists closed PR stages in a dry run, and removes only those when asked', async () => {
    for (const stage of ['pr-1', 'pr-2', 'pr-3', 'prod']) {
      const run = await runAction(
        'workflow_dispatch',
        { repository, inputs: {} },
        { command: 'deploy', stage },
        { GITHUB_REF: 'refs/heads/main' },
      )
      assert.equal(run.code, 0, run.stdout + run.stderr)
    }
    gh.pulls.set(1, 'closed')
    gh.pulls.set(2, 'closed')
    gh.pulls.set(3, 'open')

    bed.shim.clearCalls()
    const dry = await runAction(
      'schedule',
      { schedule: '0 4 * * *', repository },
      { command: 'sweep' },
      { GITHUB_REF: 'refs/heads/main' },
    )
    assert.equal(dry.code, 0, dry.stdout + dry.stderr)
    assert.equal(dry.outputs.result, 'swept')
    assert.equal(dry.outputs.stage, undefined, 'a sweep has no single stage')
    assert.match(dry.stdout, /would remove pr-1/)
    assert.match(dry.stdout, /would remove pr-2/)
    assert.match(dry.stdout, /keep pr-3 \(pull request open\)/)
    assert.match(dry.stdout, /keep prod \(not a pull request stage\)/)
    assert.deepEqual(resourceWrites(), [])

    const wet = await runAction(
      'schedule',
      { schedule: '0 4 * * *', repository },
      { command: 'sweep', 'dry-run': 'false' },
      { GITHUB_REF: 'refs/heads/main' },
    )
    assert.equal(wet.code, 0, wet.stdout + wet.stderr)
    for (const stage of ['pr-1', 'pr-2'])
      assert.deepEqual(await stageResources(stage), { roles: [], functions: [], apis: [] })
    for (const stage of ['pr-3', 'prod']) assert.equal((await stageResources(stage)).functions.length, 1)
  })

  test('a failed deploy edits the PR comment to show the error and link the run', async () => {
    bed.shim.fault({
      operation: 'CreateApi',
      times: Infinity,
      status: 400,
      errorType: 'BadRequestException',
      message: 'Too many APIs in this account',
    })
    const run = await runAction('pull_request', prEvent('opened', 11))
    assert.equal(run.code, 1)
    assert.match(run.stdout, /::error::.*Too many APIs in this account/)
    assert.equal(gh.comments.length, 1)
    const body = gh.comments[0]!.body
    assert.ok(body.startsWith('<!-- socket-action:stage=pr-11 app=my-socket -->'))
    assert.match(body, /deploy of `pr-11` failed/)
    assert.match(body, /Too many APIs in this account/)
    assert.ok(body.includes('https://github.com/octo/sockets/actions/runs/4242'))
  })

  test('deleting a branch removes its stage; a stages rule picks its own region', async () => {
    const pushed = await runAction('push', pushEvent('feature/old'))
    assert.equal(pushed.outputs.stage, 'feature-old')
    assert.equal((await stageResources('feature-old')).functions.length, 1)
    const deleted = await runAction(
      'delete',
      { ref: 'feature/old', ref_type: 'branch', repository },
      {},
      { GITHUB_REF: 'refs/heads/main' },
    )
    assert.equal(deleted.code, 0, deleted.stdout + deleted.stderr)
    assert.equal(deleted.outputs.result, 'removed')
    assert.deepEqual(await stageResources('feature-old'), { roles: [], functions: [], apis: [] })

    const regional = await runAction('pull_request', prEvent('opened', 12), {
      'aws-region': 'us-east-1',
      stages: 'pr-*: { aws-region: eu-west-1 }',
    })
    assert.equal(regional.code, 0, regional.stdout + regional.stderr)
    assert.equal(regional.outputs.region, 'eu-west-1')
    assert.match(regional.outputs.url!, /\.eu-west-1\.amazonaws\.com\/pr-12$/)
  })

  test('socket.js with npm dependencies is bundled on the runner by the esbuild-wasm shipped in dist/', async () => {
    await project.remove()
    project = await scratchProject(path.join(ROOT, 'test/fixtures/socket/good/with-dependency'))
    await writeFile(
      path.join(project.dir, 'serverless.yml'),
      'name: deps\nstage: dev\nSocket:\n  component: "@serverless/socket"\n',
    )
    const run = await runAction(
      'workflow_dispatch',
      { repository, inputs: {} },
      { command: 'deploy' },
      { GITHUB_REF: 'refs/heads/main' },
    )
    assert.equal(run.code, 0, run.stdout + run.stderr)
    assert.equal(run.outputs.result, 'deployed')
    const fn = (await readAccount()).functions.find((f) => f.name === 'deps-dev')
    assert.ok(fn, 'the function exists')
    // The same bytes as the native esbuild of the CLI: the code hash matches a local bundle of the same project.
    const { bundleSocket } = await import('../src/bundle/build.ts')
    assert.equal(fn.codeSha256, (await bundleSocket(path.join(project.dir, 'socket.js'))).sha256)
  })

  test('an event it does not handle is a clear message and no AWS call', async () => {
    const run = await runAction('issues', { action: 'opened', repository })
    assert.equal(run.code, 0)
    assert.equal(run.outputs.result, 'skipped')
    assert.match(run.stdout, /nothing to do on "issues"/)
    assert.deepEqual(bed.shim.calls(), [])
  })
})
