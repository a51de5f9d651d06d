// One app and stage in two regions: IAM roles are global, so each region's function gets its own role, named and
// tagged with the region, and removing one region never touches the other's. A stage from before roles carried the
// region moves to its own role without a moment without one, and the old shared role is left for the user.
import assert from 'node:assert/strict'
import { beforeEach, describe, test } from 'node:test'
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam'
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda'
import { deployStage, removeStageOf } from '../src/pipeline.ts'
import { FAST, freshStagePerTest } from './helpers/aws-bed.ts'
import { readAccount, sdk } from './helpers/aws-state.ts'

describe('regions', () => {
  const suite = freshStagePerTest()
  const logs: string[] = []
  const options = (region: string) => ({
    configFile: suite.project.config,
    stage: 'prod',
    region,
    ...FAST,
    events: { log: (l: string) => logs.push(l) },
  })
  const functionRole = async (region: string) =>
    (await new LambdaClient({ region }).send(new GetFunctionConfigurationCommand({ FunctionName: 'my-socket-prod' })))
      .Role

  beforeEach(() => {
    logs.length = 0
  })

  test('each region has its own role, and removing one region leaves the other working', async () => {
    const east = await deployStage(options('us-east-1'))
    const west = await deployStage(options('eu-west-1'))
    const roles = (await readAccount()).roles
    assert.deepEqual(roles.map((r) => r.name).sort(), [
      'my-socket-prod-socket-eu-west-1',
      'my-socket-prod-socket-us-east-1',
    ])
    for (const role of roles) {
      const region = role.name.endsWith('eu-west-1') ? 'eu-west-1' : 'us-east-1'
      assert.equal(role.tags['socket-action:region'], region)
      const own = JSON.stringify(role.policies)
      assert.ok(
        own.includes(`:${region}:`) && !own.includes(`:${region === 'us-east-1' ? 'eu-west-1' : 'us-east-1'}:`),
        `${role.name} grants only its own region`,
      )
    }
    assert.match((await functionRole('us-east-1'))!, /role\/my-socket-prod-socket-us-east-1$/)
    assert.match((await functionRole('eu-west-1'))!, /role\/my-socket-prod-socket-eu-west-1$/)
    assert.notEqual(east.apiId, west.apiId)

    await removeStageOf(options('eu-west-1'))
    assert.deepEqual(
      (await readAccount()).roles.map((r) => r.name),
      ['my-socket-prod-socket-us-east-1'],
    )
    assert.match((await functionRole('us-east-1'))!, /socket-us-east-1$/)
    suite.bed.shim.clearCalls()
    assert.equal((await deployStage(options('us-east-1'))).changed, false, 'the other region is untouched')
  })

  test('a stage with the old shared role moves to its own role, which is complete before the function uses it', async () => {
    // The stage as an older socket-action left it: the function on role my-socket-prod-socket (no region tag).
    await deployStage(options('us-east-1'))
    const { iam } = sdk()
    const current = (await readAccount()).roles[0]!
    const legacy = 'my-socket-prod-socket'
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    })
    const tags = Object.entries(current.tags)
      .filter(([k]) => k !== 'socket-action:region')
      .map(([Key, Value]) => ({ Key, Value }))
    suite.bed.shim.configure({ roleUnassumableCalls: 0, deleteConflictCalls: 0 })
    const made = await iam.send(
      new CreateRoleCommand({ RoleName: legacy, AssumeRolePolicyDocument: trust, Tags: tags }),
    )
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: legacy,
        PolicyName: 'socket-action',
        PolicyDocument: JSON.stringify(current.policies['socket-action']),
      }),
    )
    await new LambdaClient({ region: 'us-east-1' }).send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'my-socket-prod', Role: made.Role!.Arn }),
    )
    await iam.send(new DeleteRolePolicyCommand({ RoleName: current.name, PolicyName: 'socket-action' }))
    await iam.send(new DeleteRoleCommand({ RoleName: current.name }))
    suite.bed.shim.configure({ roleUnassumableCalls: 1, deleteConflictCalls: 1 }) // AWS as usual for the migration itself

    const legacyBefore = (await readAccount()).roles.find((r) => r.name === legacy)
    suite.bed.shim.clearCalls()
    await deployStage(options('us-east-1'))
    assert.match((await functionRole('us-east-1'))!, /role\/my-socket-prod-socket-us-east-1$/)
    assert.deepEqual(
      (await readAccount()).roles.find((r) => r.name === legacy),
      legacyBefore,
      'the old role is exactly as it was: tags, policies, boundary',
    )
    const calls = suite.bed.shim.calls().filter((c) => c.status < 300)
    const end = (op: string) => Math.max(...calls.filter((c) => c.operation === op).map((c) => c.end))
    const switched = calls.find((c) => c.operation === 'UpdateFunctionConfiguration')!
    assert.ok(
      switched.start >= end('CreateRole') && switched.start >= end('PutRolePolicy'),
      'the role has its policy before the function uses it',
    )
    assert.ok(
      logs.some(
        (l) => l.includes(`role ${legacy} is left as it is`) && l.includes(`aws iam delete-role --role-name ${legacy}`),
      ),
      logs.join('\n'),
    )

    // remove takes this region's own role, never the shared one.
    await removeStageOf(options('us-east-1'))
    assert.deepEqual(
      (await readAccount()).roles.map((r) => r.name),
      [legacy],
    )
  })
})
