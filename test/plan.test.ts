// The planner alone: a pure function of (desired, observed). No AWS here.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { desiredState } from '../src/engine/desired.ts'
import { formatPlan } from '../src/engine/format.ts'
import type { Action, ObservedApi, ObservedState } from '../src/engine/model.ts'
import { planDeploy, planRemove, PlanError, survivingApi } from '../src/engine/plan.ts'
import { AWS_PARTITION, partitionOf, resourceNames, fitName, websocketUrl } from '../src/engine/names.ts'
import { Ref } from '../src/engine/refs.ts'
import type { SocketConfig } from '../src/config/index.ts'
import { deployedState } from './helpers/observed-state.ts'
import { socketConfig } from './helpers/socket-config.ts'

const socket: SocketConfig = socketConfig({ env: { A: '1' } })
const identity = { app: 'chat', stage: 'prod', repo: 'octo/sockets', region: 'us-east-1' }
const desired = desiredState({
  socket,
  identity,
  region: 'us-east-1',
  account: '111111111111',
  partition: AWS_PARTITION,
  codeSha256: 'sha-1',
  handler: 'index.handler',
  version: '1.0.0',
})
const empty: ObservedState = { account: '111111111111', partition: AWS_PARTITION, apis: [], foreign: [] }

/** What AWS would hold after a clean deploy of `desired`. */
const deployed = (): ObservedState => deployedState(desired)

describe('planDeploy', () => {
  test('an empty account: everything is created, each action after what it needs', () => {
    const plan = planDeploy(desired, empty)
    const byId = new Map(plan.actions.map((a) => [a.id, a]))
    assert.deepEqual([...byId.keys()].sort(), [
      'alias:create',
      'api:create',
      'deployment:create',
      'function:create',
      'integration:create',
      'log-group:create',
      'permission:alias:add',
      'role-policy:put',
      'role:create',
      'route:create:$connect',
      'route:create:$default',
      'route:create:$disconnect',
      'stage:create',
    ])
    assert.deepEqual(byId.get('log-group:create')!.params, {
      logGroupName: '/aws/lambda/chat-prod',
      tags: desired.tags,
      retentionInDays: 30,
    })
    assert.deepEqual(byId.get('function:create')!.after, ['role:create'])
    assert.deepEqual(byId.get('role-policy:put')!.after.sort(), ['api:create', 'role:create'])
    assert.deepEqual(byId.get('stage:create')!.after, ['deployment:create'])
    // CreateFunction publishes the first version itself (Publish), so no PublishVersion follows it.
    const create = byId.get('function:create')!
    assert.ok(create.write === 'CreateFunction' && create.params.Publish === true)
    // live serves only once the role's policy and our log group exist (the version's first invocations need both).
    assert.deepEqual(byId.get('alias:create')!.after, ['function:create', 'role-policy:put', 'log-group:create'])
    assert.deepEqual(byId.get('permission:alias:add')!.after, ['alias:create', 'function:create', 'api:create'])
    assert.match(JSON.stringify(byId.get('integration:create')!.params), /function:chat-prod:live\/invocations/)
    // Every action comes after the ones it waits for.
    const seen = new Set<string>()
    for (const a of plan.actions) {
      for (const dep of a.after) assert.ok(seen.has(dep), `${a.id} before ${dep}`)
      seen.add(a.id)
    }
    // The API id is not known yet: a placeholder that apply fills in.
    assert.match(JSON.stringify(byId.get('role-policy:put')!.params), /\$\{apiId\}\/prod\/\*\/@connections\/\*/)
    // ... a typed reference, not text: apply resolves it where the id goes.
    const put = byId.get('role-policy:put')
    assert.ok(put?.write === 'PutRolePolicy')
    const ref = put.params.PolicyDocument.Statement.find((s) => s.Sid === 'OwnConnections')?.Resource
    assert.ok(ref instanceof Ref && ref.fact === 'apiId')
    assert.equal(
      ref.resolve({ apiId: 'abc123' }),
      'arn:aws:execute-api:us-east-1:111111111111:abc123/prod/*/@connections/*',
    )
    const stage = byId.get('stage:create')
    assert.ok(stage?.write === 'CreateStage')
    assert.deepEqual(
      [stage.params.ApiId, stage.params.DeploymentId, stage.params.Description],
      [new Ref('apiId'), new Ref('deploymentId'), new Ref('marker')],
    )
  })

  describe('versions published with the code, and when live waits for the smoke test', () => {
    const smoked = { ...desired, release: { ...desired.release, smokeTest: true } }
    const smokeOf = (plan: { actions: Action[] }) => {
      const smoke = plan.actions.find((a) => a.write === 'SmokeTest')
      assert.ok(smoke?.write === 'SmokeTest')
      return smoke
    }

    test("a stage's first release: live is created beside the smoke test, never naming a missing alias", () => {
      const plan = planDeploy(smoked, empty)
      const byId = new Map(plan.actions.map((a) => [a.id, a]))
      assert.ok(!plan.actions.some((a) => a.write === 'PublishVersion'), 'CreateFunction publishes')
      const smoke = smokeOf(plan)
      assert.equal(smoke.params.FirstRelease, true)
      assert.deepEqual(smoke.after, ['function:create', 'role-policy:put', 'log-group:create'])
      assert.ok(!byId.get('alias:create')!.after.includes(smoke.id), 'live does not wait for the test')
    })

    test('a code change: UpdateFunctionCode publishes, live moves only after the smoke test', () => {
      const before = deployed()
      const plan = planDeploy({ ...smoked, fn: { ...smoked.fn, codeSha256: 'sha-2' } }, before)
      assert.deepEqual(plan.actions.map((a) => a.write).sort(), ['SmokeTest', 'UpdateAlias', 'UpdateFunctionCode'])
      const code = plan.actions.find((a) => a.write === 'UpdateFunctionCode')!
      assert.ok(code.write === 'UpdateFunctionCode' && code.params.Publish === true)
      const smoke = smokeOf(plan)
      assert.equal(smoke.params.FirstRelease, false)
      assert.deepEqual(smoke.after, [code.id], 'no wait for $LATEST to settle: the test invokes the version')
      const alias = plan.actions.find((a) => a.write === 'UpdateAlias')!
      assert.deepEqual(alias.after, [code.id, smoke.id])
    })

    test('a configuration change alone: PublishVersion, since UpdateFunctionConfiguration cannot publish', () => {
      const plan = planDeploy({ ...smoked, fn: { ...smoked.fn, memory: 1536 } }, deployed())
      assert.deepEqual(plan.actions.map((a) => a.write).sort(), [
        'PublishVersion',
        'SmokeTest',
        'UpdateAlias',
        'UpdateFunctionConfiguration',
      ])
    })

    test('code that a version holds already is uploaded to $LATEST without publishing again', () => {
      const before = deployed()
      before.fn!.spec = { ...before.fn!.spec, codeSha256: 'sha-other' }
      const plan = planDeploy(smoked, before)
      const code = plan.actions.find((a) => a.write === 'UpdateFunctionCode')!
      assert.ok(code.write === 'UpdateFunctionCode' && code.params.Publish === undefined)
      assert.ok(!plan.actions.some((a) => a.write === 'SmokeTest' || a.write === 'UpdateAlias'))
    })

    test('live on a first release that failed its smoke test: the same code is tested again, and the mark cleared', () => {
      const before = deployed()
      before.fn!.alias = { name: 'live', version: '1', description: 'socket-action: version 1 failed its smoke test' }
      const plan = planDeploy(smoked, before)
      assert.deepEqual(plan.actions.map((a) => a.write).sort(), ['SmokeTest', 'UpdateAlias'])
      const smoke = smokeOf(plan)
      assert.equal(smoke.params.Qualifier, '1')
      const alias = plan.actions.find((a) => a.write === 'UpdateAlias')!
      assert.ok(
        alias.write === 'UpdateAlias' && alias.params.FunctionVersion === '1' && alias.params.Description === '',
      )
      assert.deepEqual(alias.after, [smoke.id])
      assert.deepEqual(planDeploy(desired, before).actions, [], 'without a smoke test there is nothing to do')
    })

    test('a stage of the time before versions serves traffic: its first live waits for the smoke test', () => {
      const before = deployed()
      before.fn = { ...before.fn!, alias: undefined, aliasPermissionSourceArn: undefined, versions: [] }
      before.apis[0]!.integrations[0]!.uri = desired.api.legacyIntegrationUri
      const plan = planDeploy({ ...smoked, fn: { ...smoked.fn, codeSha256: 'sha-2' } }, before)
      const smoke = smokeOf(plan)
      assert.equal(smoke.params.FirstRelease, false)
      assert.ok(plan.actions.find((a) => a.write === 'CreateAlias')!.after.includes(smoke.id))
    })
  })

  test('a stage that matches: nothing to do', () => {
    const plan = planDeploy(desired, deployed())
    assert.deepEqual(plan.actions, [])
    assert.equal(
      formatPlan(plan),
      'No changes: the stage matches serverless.yml and socket.js.\nLive version: 1; rollback returns to none; kept: 1.',
    )
  })

  test('field-level diffs: only what changed', () => {
    const observed = deployed()
    observed.fn!.spec = { ...observed.fn!.spec, memory: 128, codeSha256: 'old' }
    const plan = planDeploy(desired, observed)
    assert.deepEqual(
      plan.actions.map((a) => a.id),
      ['function:config', 'function:code'],
      'the live version holds what is wanted: $LATEST is repaired, nothing is published',
    )
    assert.deepEqual(plan.actions[0]!.diff, [{ field: 'memory', from: 128, to: 512 }])
    assert.deepEqual(plan.actions[1]!.after, ['function:config'], 'Lambda takes one update at a time')
  })

  test('a stage whose deployment marker is stale is redeployed', () => {
    const observed = deployed()
    observed.apis[0]!.stages[0]!.description = 'socket-action deployment 0000000000000000'
    assert.deepEqual(
      planDeploy(desired, observed).actions.map((a) => a.id),
      ['deployment:create', 'stage:update'],
    )
  })

  test('foreign resources stop the plan', () => {
    assert.throws(
      () => planDeploy(desired, { ...empty, foreign: [{ kind: 'function', name: 'chat-prod', tags: {} }] }),
      PlanError,
    )
  })

  test('duplicate APIs: the first created survives, the others are deleted', () => {
    const observed = deployed()
    const dup: ObservedApi = {
      ...observed.apis[0]!,
      id: 'zzz999',
      createdDate: '2026-01-01T00:00:00.000Z',
      tags: { ...desired.tags, 'socket-action:created': '2026-01-01T00:00:00.500Z' },
    }
    observed.apis[0]!.tags = { ...desired.tags, 'socket-action:created': '2026-01-01T00:00:00.200Z' }
    observed.apis.push(dup)
    assert.equal(survivingApi(observed.apis)!.id, 'abc123')
    assert.deepEqual(
      planDeploy(desired, observed).actions.map((a) => a.id),
      ['api:delete:zzz999'],
    )
  })
})

test('planRemove deletes the role after its policies, the log group after the function, everything else at once', () => {
  const plan = planRemove({ names: desired.names, identity }, deployed())
  assert.deepEqual(
    plan.actions.map((a) => [a.id, a.after]),
    [
      ['api:delete:abc123', []],
      ['function:delete', []],
      ['log-group:delete', ['function:delete']],
      ['role-policy:delete:socket-action', []],
      ['role:delete', ['role-policy:delete:socket-action']],
    ],
  )
  assert.deepEqual(planRemove({ names: desired.names, identity }, empty).actions, [])
})

test('names fit AWS limits and stay distinct', () => {
  const long = resourceNames({
    app: 'a'.repeat(60),
    stage: 'feature-with-a-long-name',
    repo: 'local',
    region: 'ap-southeast-7',
  })
  assert.ok(long.functionName.length <= 64 && long.roleName.length <= 64)
  assert.notEqual(fitName(`${'x'.repeat(70)}1`, 64), fitName(`${'x'.repeat(70)}2`, 64))
  assert.equal(
    resourceNames({ app: 'chat', stage: 'pr-42', repo: 'local', region: 'us-east-1' }).functionName,
    'chat-pr-42',
  )
})

describe('partitions: every ARN, URI and URL comes from the caller identity', () => {
  const cases = [
    {
      callerArn: 'arn:aws-cn:sts::111111111111:assumed-role/deploy/GitHubActions',
      region: 'cn-north-1',
      id: 'aws-cn',
      url: 'wss://abc123.execute-api.cn-north-1.amazonaws.com.cn/prod',
    },
    {
      callerArn: 'arn:aws-us-gov:sts::111111111111:assumed-role/deploy/GitHubActions',
      region: 'us-gov-west-1',
      id: 'aws-us-gov',
      url: 'wss://abc123.execute-api.us-gov-west-1.amazonaws.com/prod',
    },
    {
      callerArn: 'arn:aws:sts::111111111111:assumed-role/deploy/GitHubActions',
      region: 'eu-west-1',
      id: 'aws',
      url: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/prod',
    },
  ]
  for (const c of cases) {
    test(c.id, () => {
      const partition = partitionOf(c.callerArn)
      assert.equal(partition.id, c.id)
      const d = desiredState({
        socket,
        identity,
        region: c.region,
        account: '111111111111',
        partition,
        codeSha256: 'sha-1',
        handler: 'index.handler',
        version: '1.0.0',
      })
      const plan = planDeploy(d, { account: '111111111111', partition, apis: [], foreign: [] })
      // Everything the plan sends, and the desired state it came from: each ARN is in this partition and region.
      const text = JSON.stringify({ d, actions: plan.actions.map((a) => a.params) })
      const arns = [...text.matchAll(/arn:[a-z-]+:[a-z-]+:[^"\\]*/g)].map((m) => m[0])
      assert.ok(arns.length >= 8, `found ${arns.length} ARNs`)
      for (const found of arns) assert.ok(found.startsWith(`arn:${c.id}:`), found)
      assert.ok(arns.some((a) => a.includes(`:${c.region}:`)))
      assert.equal(websocketUrl(partition, 'abc123', c.region, 'prod'), c.url)
    })
  }
  test('an ARN of no known partition is an error, not a guess', () => {
    assert.throws(
      () => partitionOf('arn:aws-mars:sts::1:x'),
      /cannot tell the AWS partition of "arn:aws-mars:sts::1:x"/,
    )
  })
})

describe('permissions boundary', () => {
  const boundary = 'arn:aws:iam::111111111111:policy/socket-action-boundary'
  const bounded = desiredState({
    socket: { ...socket, permissionsBoundary: boundary },
    identity,
    region: 'us-east-1',
    account: '111111111111',
    partition: AWS_PARTITION,
    codeSha256: 'sha-1',
    handler: 'index.handler',
    version: '1.0.0',
  })

  test('a new role is created with it', () => {
    const create = planDeploy(bounded, empty).actions.find((a) => a.id === 'role:create')
    assert.ok(create?.write === 'CreateRole')
    assert.equal(create.params.PermissionsBoundary, boundary)
    assert.ok(
      !('PermissionsBoundary' in planDeploy(desired, empty).actions.find((a) => a.id === 'role:create')!.params),
      'none configured: none sent',
    )
  })

  test('an existing role without it gets it first: its policy and trust changes wait for the boundary', () => {
    const observed = deployed()
    observed.role = { ...observed.role!, trustPolicy: {}, policies: {} }
    const byId = new Map(planDeploy(bounded, observed).actions.map((a) => [a.id, a]))
    assert.deepEqual(byId.get('role:boundary')!.diff, [{ field: 'permissionsBoundary', from: undefined, to: boundary }])
    assert.ok(byId.get('role-policy:put')!.after.includes('role:boundary'))
    assert.ok(byId.get('role:trust')!.after.includes('role:boundary'))
  })

  test('the same boundary plans nothing; a dropped one is kept, with a note', () => {
    const observed = deployed()
    observed.role = { ...observed.role!, permissionsBoundary: boundary }
    assert.deepEqual(planDeploy(bounded, observed).actions, [])
    const dropped = planDeploy(desired, observed)
    assert.deepEqual(dropped.actions, [])
    assert.match(
      dropped.notes?.[0] ?? '',
      /keeps its permissions boundary arn:aws:iam::111111111111:policy\/socket-action-boundary: socket-action never removes one/,
    )
  })
})

test("an action's params are the SDK's own input: a misspelt field, a runtime Lambda does not know, a reference where no id can be pending do not compile", () => {
  const base = { id: 'x', name: 'x', after: [] }
  const fine: Action = {
    ...base,
    write: 'CreateIntegration',
    resource: 'integration',
    change: 'create',
    params: { ApiId: new Ref('apiId'), IntegrationType: 'AWS_PROXY', TimeoutInMillis: 29_000 },
  }
  const misspelt: Action = {
    ...base,
    write: 'CreateIntegration',
    resource: 'integration',
    change: 'create',
    // @ts-expect-error TimeoutInMilis is not a field of CreateIntegration
    params: { ApiId: 'a', IntegrationType: 'AWS_PROXY', TimeoutInMilis: 29_000 },
  }
  const runtime: Action = {
    ...base,
    write: 'UpdateFunctionConfiguration',
    resource: 'function',
    change: 'update',
    // @ts-expect-error not a Lambda runtime
    params: { FunctionName: 'f', Runtime: 'nodejs99.x' },
  }
  // @ts-expect-error UpdateApi only runs on an API that exists: its id is known
  const pending: Action = {
    ...base,
    write: 'UpdateApi',
    resource: 'api',
    change: 'update',
    params: { ApiId: new Ref('apiId') },
  }
  assert.deepEqual(
    [fine, misspelt, runtime, pending].map((a) => a.write),
    ['CreateIntegration', 'CreateIntegration', 'UpdateFunctionConfiguration', 'UpdateApi'],
  )
})
