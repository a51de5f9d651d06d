// The deploy engine against moto (behind the shim), through the real AWS SDK: what it creates, what an unchanged
// or partly changed redeploy writes, what remove touches, and drift.
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { CreateApiCommand, DeleteRouteCommand, GetRoutesCommand } from '@aws-sdk/client-apigatewayv2'
import { CreateRoleCommand } from '@aws-sdk/client-iam'
import { UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda'
import { deployStage, planStage, removeStageOf } from '../src/pipeline.ts'
import { VERSION } from '../src/version.ts'
import { loadConfig, pickSocket } from '../src/config/index.ts'
import { formatPlan } from '../src/engine/format.ts'
import { deploymentMarker } from '../src/engine/plan.ts'
import { FAST, scratchProject, startAwsBed, type AwsBed, type Project } from './helpers/aws-bed.ts'
import { readAccount, sdk } from './helpers/aws-state.ts'

const ACCOUNT = '123456789012'

describe('deploy engine on moto', () => {
  let bed: AwsBed
  let project: Project
  before(async () => (bed = await startAwsBed()))
  after(() => bed.stop())
  beforeEach(async () => {
    await bed.reset()
    await project?.remove()
    project = await scratchProject()
  })
  after(() => project?.remove())

  const deploy = (stage = 'prod', extra = {}) => deployStage({ configFile: project.config, stage, ...FAST, ...extra })
  const writes = () => bed.shim.writes().map((c) => c.operation)

  test('a fresh deploy creates the role, function and WebSocket API of the stage, tagged, and returns the URL', async () => {
    const result = await deploy()
    assert.match(result.url, /^wss:\/\/[a-z0-9]+\.execute-api\.us-east-1\.amazonaws\.com\/prod$/)
    assert.equal(result.changed, true)
    const tags = {
      'socket-action:app': 'my-socket',
      'socket-action:stage': 'prod',
      'socket-action:repo': 'local',
      'socket-action:region': 'us-east-1',
      'socket-action:version': VERSION,
    }
    const state = await readAccount()

    assert.equal(state.roles.length, 1)
    const role = state.roles[0]!
    assert.equal(role.name, 'my-socket-prod-socket-us-east-1')
    assert.deepEqual(role.tags, tags)
    const statements = (
      role.policies['socket-action'] as { Statement: Array<{ Sid?: string; Action: unknown; Resource: unknown }> }
    ).Statement
    assert.deepEqual(
      statements.find((s) => s.Sid === 'OwnConnections')?.Resource,
      `arn:aws:execute-api:us-east-1:${ACCOUNT}:${result.apiId}/prod/*/@connections/*`,
    )
    assert.deepEqual(statements.find((s) => s.Sid === 'OwnLogs')?.Resource, [
      `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/my-socket-prod`,
      `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/my-socket-prod:*`,
    ])

    assert.equal(state.functions.length, 1)
    const fn = state.functions[0]!
    assert.equal(fn.name, 'my-socket-prod')
    assert.equal(result.functionArn, `arn:aws:lambda:us-east-1:${ACCOUNT}:function:my-socket-prod`)
    assert.deepEqual(fn.tags, tags)
    assert.equal(fn.runtime, 'nodejs24.x')
    assert.deepEqual(fn.architectures, ['arm64'])
    assert.equal(fn.memory, 128)
    assert.equal(fn.timeout, 10)
    assert.equal(fn.handler, 'index.handler')
    assert.deepEqual(fn.env, { TABLE_NAME: 'my-table' })
    assert.equal(fn.role, `arn:aws:iam::${ACCOUNT}:role/my-socket-prod-socket-us-east-1`)
    assert.equal(fn.permissions.length, 1)
    const permission = fn.permissions[0] as {
      Principal: unknown
      Action: string
      Condition: { ArnLike: Record<string, string> }
    }
    assert.equal(permission.Action, 'lambda:InvokeFunction')
    assert.equal(
      permission.Condition.ArnLike['AWS:SourceArn'],
      `arn:aws:execute-api:us-east-1:${ACCOUNT}:${result.apiId}/*`,
    )

    assert.equal(state.apis.length, 1)
    const api = state.apis[0]!
    assert.equal(api.id, result.apiId)
    const { 'socket-action:created': created, ...apiTags } = api.tags
    assert.deepEqual(apiTags, tags)
    assert.match(created ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'creation time to the millisecond')
    assert.equal(api.routeSelectionExpression, '$request.body.route')
    assert.deepEqual(api.integrations, [
      {
        type: 'AWS_PROXY',
        uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${result.functionArn}:live/invocations`,
        timeout: 29000,
      },
    ])
    assert.deepEqual(api.routes, [
      { key: '$connect', target: 'integration#0' },
      { key: '$default', target: 'integration#0' },
      { key: '$disconnect', target: 'integration#0' },
    ])
    assert.equal(api.stages.length, 1)
    assert.equal(api.stages[0]!.name, 'prod')
    assert.equal(api.stages[0]!.deployed, true)
    assert.deepEqual(api.stages[0]!.tags, tags)
    assert.deepEqual(result.routes, ['$connect', '$disconnect', '$default'])
  })

  test('an unchanged redeploy makes zero write calls', async () => {
    await deploy()
    bed.shim.clearCalls()
    const result = await deploy()
    assert.equal(result.changed, false)
    assert.deepEqual(writes(), [])
    assert.ok(bed.shim.calls().length > 0, 'it did read')
  })

  test('a code-only change makes only the code update, which publishes the version, and the alias move', async () => {
    await deploy()
    await project.edit('socket.js', (s) =>
      s.replace('await socket.send(data)\n})\n\n// Every', 'await socket.send({ echo: data })\n})\n\n// Every'),
    )
    bed.shim.clearCalls()
    const result = await deploy()
    assert.deepEqual(writes(), ['UpdateFunctionCode', 'UpdateAlias'])
    assert.deepEqual(
      result.actions.map((a) => a.id),
      ['function:code', 'alias:update'],
    )
    // Without a smoke test, live moves only once the new version is Active (GetFunctionConfiguration with it as
    // Qualifier: the published-version waiter), and $LATEST's update is waited for beside it (GetFunction).
    const [code, alias] = bed.shim.writes()
    const reads = bed.shim.calls().filter((c) => c.kind === 'read' && c.start > code!.end)
    assert.ok(
      reads.some((c) => c.operation === 'GetFunctionConfiguration' && c.end <= alias!.start),
      `waited for the version before moving live: ${reads.map((c) => c.operation)}`,
    )
    assert.ok(
      reads.some((c) => c.operation === 'GetFunction'),
      'waited for LastUpdateStatus beside it',
    )
    // The upload is decided by the first round of reads: it goes out beside the second (the API's parts), not after.
    const routes = bed.shim.calls().find((c) => c.operation === 'GetRoutes')!
    assert.ok(code!.start < routes.end, 'UpdateFunctionCode waited for the API to be described')
  })

  test('a config-only change makes only the configuration update', async () => {
    await deploy()
    await project.edit('serverless.yml', (s) => s.replace('memory: 128', 'memory: 256'))
    bed.shim.clearCalls()
    await deploy()
    assert.deepEqual(writes(), ['UpdateFunctionConfiguration', 'PublishVersion', 'UpdateAlias'])
    assert.equal((await readAccount()).functions[0]!.memory, 256)
  })

  test('a changed policy makes only the policy update', async () => {
    await deploy()
    await project.edit(
      'serverless.yml',
      (s) =>
        `${s}    policy:\n      - Effect: Allow\n        Action: dynamodb:GetItem\n        Resource: arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/my-table\n`,
    )
    bed.shim.clearCalls()
    await deploy()
    assert.deepEqual(writes(), ['PutRolePolicy'])
    const statements = (
      (await readAccount()).roles[0]!.policies['socket-action'] as { Statement: Array<{ Action: unknown }> }
    ).Statement
    assert.ok(statements.some((s) => s.Action === 'dynamodb:GetItem'))
  })

  test('remove deletes everything tagged for the stage and nothing else', async () => {
    await deploy('prod')
    await deploy('staging')
    // Another repository's deploy of the same app and stage cannot share our role and function names...
    await assert.rejects(
      deployStage({ configFile: project.config, stage: 'prod', repo: 'someone/else', ...FAST }),
      /not tagged as socket-action/,
    )
    // ...but its API could exist (API names are not unique): it must survive our remove.
    await sdk().apigw.send(
      new CreateApiCommand({
        Name: 'my-socket-prod',
        ProtocolType: 'WEBSOCKET',
        RouteSelectionExpression: '$request.body.route',
        Tags: { 'socket-action:app': 'my-socket', 'socket-action:stage': 'prod', 'socket-action:repo': 'someone/else' },
      }),
    )
    const other = await scratchProject()
    await other.edit('serverless.yml', (s) => s.replaceAll('my-socket', 'other-app'))
    await deployStage({ configFile: other.config, stage: 'prod', ...FAST })
    await other.remove()
    // An untagged look-alike with one of our names.
    await sdk().iam.send(new CreateRoleCommand({ RoleName: 'look-alike-prod-socket', AssumeRolePolicyDocument: '{}' }))
    const before = await readAccount()

    const result = await removeStageOf({ configFile: project.config, stage: 'prod', ...FAST })
    assert.equal(result.found, true)
    const afterRemove = await readAccount()
    const isProd = (tags: Record<string, string>) =>
      tags['socket-action:app'] === 'my-socket' &&
      tags['socket-action:stage'] === 'prod' &&
      tags['socket-action:repo'] === 'local'
    assert.deepEqual(
      afterRemove.roles.filter((r) => isProd(r.tags)),
      [],
    )
    assert.deepEqual(
      afterRemove.functions.filter((f) => isProd(f.tags)),
      [],
    )
    assert.deepEqual(
      afterRemove.apis.filter((a) => isProd(a.tags)),
      [],
    )
    assert.deepEqual(
      afterRemove.roles,
      before.roles.filter((r) => !isProd(r.tags)),
    )
    assert.deepEqual(
      afterRemove.functions,
      before.functions.filter((f) => !isProd(f.tags)),
    )
    assert.deepEqual(
      afterRemove.apis,
      before.apis.filter((a) => !isProd(a.tags)),
    )
    assert.ok(
      afterRemove.apis.some((a) => a.tags['socket-action:repo'] === 'someone/else'),
      "another repository's API of the same app and stage is kept",
    )

    bed.shim.clearCalls()
    const again = await removeStageOf({ configFile: project.config, stage: 'prod', ...FAST })
    assert.equal(again.found, false)
    assert.deepEqual(writes(), [])
  })

  test('a role or function with our name but not our tags is never adopted: error, no writes', async () => {
    await sdk().iam.send(
      new CreateRoleCommand({
        RoleName: 'my-socket-prod-socket-us-east-1',
        AssumeRolePolicyDocument: '{}',
        Tags: [{ Key: 'team', Value: 'payments' }],
      }),
    )
    bed.shim.clearCalls()
    await assert.rejects(
      deploy(),
      /role "my-socket-prod-socket-us-east-1" exists but is not tagged as socket-action app "my-socket", stage "prod".*\n.*never adopts/,
    )
    assert.deepEqual(writes(), [])
    const removed = await removeStageOf({ configFile: project.config, stage: 'prod', ...FAST })
    assert.equal(removed.found, false)
    assert.deepEqual(
      removed.foreign.map((f) => f.name),
      ['my-socket-prod-socket-us-east-1'],
    )
    assert.equal((await readAccount()).roles.length, 1)
  })

  test('plan shows no changes for an unchanged stage, and drift (a deleted route, memory changed by hand) that deploy repairs', async () => {
    const deployed = await deploy()
    assert.equal(
      formatPlan((await planStage({ configFile: project.config, stage: 'prod' })).plan),
      'No changes: the stage matches serverless.yml and socket.js.\nLive version: 1; rollback returns to none; kept: 1.',
    )

    const { apigw, lambda } = sdk()
    const routes = (await apigw.send(new GetRoutesCommand({ ApiId: deployed.apiId }))).Items!
    await apigw.send(
      new DeleteRouteCommand({
        ApiId: deployed.apiId,
        RouteId: routes.find((r) => r.RouteKey === '$disconnect')!.RouteId!,
      }),
    )
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'my-socket-prod', MemorySize: 1024 }))

    const { plan, desired } = await planStage({ configFile: project.config, stage: 'prod' })
    const text = formatPlan(plan)
    assert.match(text, /~ function my-socket-prod\n {6}memory: 1024 -> 128/)
    assert.match(text, /\+ route \$disconnect/)
    assert.match(text, /~ stage prod/)
    assert.deepEqual(plan.actions.map((a) => a.id).sort(), [
      'deployment:create',
      'function:config',
      'route:create:$disconnect',
      'stage:update',
    ])

    bed.shim.clearCalls()
    const repaired = await deploy()
    assert.equal(repaired.apiId, deployed.apiId)
    assert.deepEqual(writes().sort(), ['CreateDeployment', 'CreateRoute', 'UpdateFunctionConfiguration', 'UpdateStage'])
    const state = await readAccount()
    assert.deepEqual(
      state.apis[0]!.routes.map((r) => r.key),
      ['$connect', '$default', '$disconnect'],
    )
    assert.equal(state.functions[0]!.memory, 128)
    assert.equal(state.apis[0]!.stages[0]!.description, deploymentMarker(desired, plan.integrationId!))
    assert.equal(
      formatPlan((await planStage({ configFile: project.config, stage: 'prod' })).plan),
      'No changes: the stage matches serverless.yml and socket.js.\nLive version: 1; rollback returns to none; kept: 1.',
    )
  })

  test('a socket already loaded (the Action loads serverless.yml once) is not loaded again; the stage option replaces its stage', async () => {
    await deploy()
    const socket = pickSocket((await loadConfig(project.config)).sockets, undefined, project.config)
    await project.edit('serverless.yml', () => 'not: [valid yaml')
    const planned = await planStage({ configFile: project.config, socket, stage: 'prod' })
    assert.equal(
      formatPlan(planned.plan),
      'No changes: the stage matches serverless.yml and socket.js.\nLive version: 1; rollback returns to none; kept: 1.',
    )
    assert.equal(planned.socket.stage, 'prod')
    assert.ok(!planned.socket.defaulted.includes('stage'))
    await assert.rejects(
      planStage({ configFile: project.config, socket, stage: 'feature/x' }),
      /stage "feature\/x" \(given as an option\) is invalid/,
    )
  })

  test('env values never appear in a plan, only their names', async () => {
    await deploy()
    await project.edit('serverless.yml', (s) =>
      s.replace('TABLE_NAME: my-table', 'TABLE_NAME: my-table\n      API_SECRET: hunter2-very-secret'),
    )
    const { plan } = await planStage({ configFile: project.config, stage: 'prod' })
    const text = formatPlan(plan)
    assert.match(text, /env: \+API_SECRET \(values hidden\)/)
    assert.doesNotMatch(text, /hunter2/)
    assert.doesNotMatch(JSON.stringify((await import('../src/engine/format.ts')).planJson(plan)), /hunter2|my-table/)
  })
})

describe('deploy engine details on moto', () => {
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
  const deploy = () => deployStage({ configFile: project.config, stage: 'prod', ...FAST })
  const writes = () => bed.shim.writes().map((c) => c.operation)

  test('throttle is set on the stage and updated in place; an architecture change goes with the code', async () => {
    await project.edit('serverless.yml', (s) => `${s}    throttle:\n      burstLimit: 50\n      rateLimit: 25\n`)
    await deploy()
    assert.deepEqual((await readAccount()).apis[0]!.stages[0]!.throttle, { burst: 50, rate: 25 })

    await project.edit('serverless.yml', (s) => s.replace('burstLimit: 50', 'burstLimit: 80'))
    bed.shim.clearCalls()
    await deploy()
    assert.deepEqual(writes(), ['UpdateStage'])
    assert.deepEqual((await readAccount()).apis[0]!.stages[0]!.throttle, { burst: 80, rate: 25 })

    await project.edit('serverless.yml', (s) => `${s}    architecture: x86_64\n`)
    bed.shim.clearCalls()
    await deploy()
    assert.deepEqual(writes(), ['UpdateFunctionCode', 'UpdateAlias'])
    assert.deepEqual((await readAccount()).functions[0]!.architectures, ['x86_64'])
    bed.shim.clearCalls()
    await deploy()
    assert.deepEqual(writes(), [], 'and then it has converged')
  })
})

test('a missing permission says which action on which resource is needed', async () => {
  const bed = await startAwsBed()
  const project = await scratchProject()
  try {
    bed.shim.fault({
      operation: 'CreateFunction',
      status: 403,
      errorType: 'AccessDeniedException',
      message:
        'User: arn:aws:sts::123456789012:assumed-role/deploy/GitHubActions is not authorized to perform: lambda:CreateFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:my-socket-prod because no identity-based policy allows the lambda:CreateFunction action',
    })
    await assert.rejects(
      deployStage({ configFile: project.config, stage: 'prod', ...FAST }),
      /create function my-socket-prod: access denied: the deploy credentials need lambda:CreateFunction on arn:aws:lambda:us-east-1:123456789012:function:my-socket-prod\. Add it to the deploy role's policy/,
    )
  } finally {
    await project.remove()
    await bed.stop()
  }
})

test('a failed wait says the state and reason, never the GetFunction response (env values, code URL)', async () => {
  const { settled } = await import('../src/aws/writes.ts')
  const reason = {
    Configuration: {
      State: 'Active',
      LastUpdateStatus: 'Failed',
      LastUpdateStatusReason: 'The role is invalid',
      Environment: { Variables: { API_SECRET: 'hunter2' } },
    },
    Code: { Location: 'https://awslambda.s3.amazonaws.com/snapshot?X-Amz-Signature=abc' },
  }
  assert.throws(
    () => settled('chat-prod', 'finish its update', { state: 'FAILURE', reason }),
    (error: Error) => {
      assert.equal(
        error.message,
        'function chat-prod did not finish its update (failure): State Active, LastUpdateStatus Failed (The role is invalid)',
      )
      return true
    },
  )
  assert.doesNotThrow(() => settled('chat-prod', 'become Active', { state: 'SUCCESS', reason }))
  assert.throws(
    () =>
      settled('chat-prod', 'become Active', {
        state: 'TIMEOUT',
        observedResponses: { '403: User is not authorized to perform: lambda:GetFunction': 12 },
      }),
    /did not become Active \(timed out\): answers seen: 403: User is not authorized to perform: lambda:GetFunction$/,
  )
})
