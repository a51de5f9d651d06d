// The function role's permissions boundary against moto (behind the shim), through the real AWS SDK: created with
// the role, changed with PutRolePermissionsBoundary before the policy, kept when no longer configured, and a boundary
// policy that does not exist said plainly.
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { CreatePolicyCommand } from '@aws-sdk/client-iam'
import { deployStage, planStage, removeStageOf } from '../src/pipeline.ts'
import { formatPlan } from '../src/engine/format.ts'
import { FAST, scratchProject, startAwsBed, type AwsBed, type Project } from './helpers/aws-bed.ts'
import { readAccount, sdk } from './helpers/aws-state.ts'

const ACCOUNT = '123456789012'
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/socket-action-boundary`
const NEXT_BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/socket-action-boundary-v2`
const ALLOW_ALL = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }],
})

describe('permissions boundary on moto', () => {
  let bed: AwsBed
  let project: Project
  before(async () => (bed = await startAwsBed()))
  after(() => bed.stop())
  beforeEach(async () => {
    await bed.reset()
    await project?.remove()
    project = await scratchProject()
    const { iam } = sdk()
    for (const name of ['socket-action-boundary', 'socket-action-boundary-v2'])
      await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: ALLOW_ALL }))
    bed.shim.clearCalls()
  })
  after(() => project?.remove())

  const deploy = (extra = {}) => deployStage({ configFile: project.config, stage: 'prod', ...FAST, ...extra })
  const plan = (extra = {}) => planStage({ configFile: project.config, stage: 'prod', ...extra })
  const writes = () => bed.shim.writes().map((c) => c.operation)
  const role = async () => (await readAccount()).roles.find((r) => r.name === 'my-socket-prod-socket-us-east-1')!
  const withBoundaryInConfig = (arn: string) =>
    project.edit('serverless.yml', (s) => `${s}    permissionsBoundary: ${arn}\n`)

  test("a deploy with serverless.yml's permissionsBoundary creates the role with it", async () => {
    await withBoundaryInConfig(BOUNDARY)
    await deploy()
    assert.equal((await role()).boundary, BOUNDARY)
    assert.equal(writes().filter((w) => w === 'PutRolePermissionsBoundary').length, 0, 'set by CreateRole itself')
  })

  test('the option wins over serverless.yml', async () => {
    await withBoundaryInConfig(BOUNDARY)
    await deploy({ permissionsBoundary: NEXT_BOUNDARY })
    assert.equal((await role()).boundary, NEXT_BOUNDARY)
  })

  test('a changed boundary is one PutRolePermissionsBoundary, shown in the plan; an unchanged redeploy writes nothing', async () => {
    await deploy({ permissionsBoundary: BOUNDARY })
    const planned = await plan({ permissionsBoundary: NEXT_BOUNDARY })
    assert.deepEqual(
      planned.plan.actions.map((a) => a.id),
      ['role:boundary'],
    )
    assert.match(
      formatPlan(planned.plan),
      new RegExp(`~ role my-socket-prod-socket-us-east-1\\n\\s+permissionsBoundary: ${BOUNDARY} -> ${NEXT_BOUNDARY}`),
    )

    bed.shim.clearCalls()
    await deploy({ permissionsBoundary: NEXT_BOUNDARY })
    assert.deepEqual(writes(), ['PutRolePermissionsBoundary'])
    assert.equal((await role()).boundary, NEXT_BOUNDARY)

    bed.shim.clearCalls()
    const again = await deploy({ permissionsBoundary: NEXT_BOUNDARY })
    assert.equal(again.changed, false)
    assert.deepEqual(writes(), [])
  })

  test('a role deployed without a boundary gets it before its policy changes', async () => {
    await deploy()
    assert.equal((await role()).boundary, undefined)
    await project.edit(
      'serverless.yml',
      (s) =>
        `${s}    policy:\n      - Effect: Allow\n        Action: dynamodb:GetItem\n        Resource: arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/my-table\n`,
    )
    bed.shim.clearCalls()
    await deploy({ permissionsBoundary: BOUNDARY })
    assert.deepEqual(writes(), ['PutRolePermissionsBoundary', 'PutRolePolicy'])
    const [boundaryWrite, policyWrite] = bed.shim.writes()
    assert.ok(boundaryWrite!.end <= policyWrite!.start, 'the policy waits for the boundary')
    assert.equal((await role()).boundary, BOUNDARY)
  })

  test('a boundary no longer configured is kept, and the plan says so', async () => {
    await deploy({ permissionsBoundary: BOUNDARY })
    const planned = await plan()
    assert.deepEqual(planned.plan.actions, [])
    assert.match(
      formatPlan(planned.plan),
      /No changes[\s\S]*Note: role my-socket-prod-socket-us-east-1 keeps its permissions boundary arn:aws:iam::123456789012:policy\/socket-action-boundary/,
    )
    const logged: string[] = []
    bed.shim.clearCalls()
    const result = await deploy({ events: { log: (line: string) => logged.push(line) } })
    assert.equal(result.changed, false)
    assert.deepEqual(writes(), [])
    assert.ok(
      logged.some((l) => l.includes('keeps its permissions boundary')),
      logged.join('\n'),
    )
    assert.equal((await role()).boundary, BOUNDARY)
  })

  test('a boundary policy that does not exist fails at once, saying what to create', async () => {
    const missing = `arn:aws:iam::${ACCOUNT}:policy/no-such-boundary`
    await assert.rejects(deploy({ permissionsBoundary: missing }), (error: Error) => {
      assert.match(
        error.message,
        /the permissions boundary arn:aws:iam::123456789012:policy\/no-such-boundary does not exist/,
      )
      assert.match(error.message, /\.github\/aws\/socket-action-boundary\.json/)
      return true
    })
    assert.equal(
      bed.shim.calls().filter((c) => c.operation === 'CreateRole').length,
      1,
      'not retried as if something vanished',
    )
    assert.equal((await readAccount()).roles.length, 0)
  })

  test('an option that is not a policy ARN fails before any AWS call', async () => {
    await assert.rejects(
      deploy({ permissionsBoundary: `arn:aws:iam::${ACCOUNT}:role/socket-action-boundary` }),
      /permissions boundary must be the ARN of an IAM managed policy/,
    )
    assert.deepEqual(bed.shim.calls(), [])
  })

  test('a deploy or remove with a boundary that dies at any write is finished by the next run', async () => {
    await withBoundaryInConfig(BOUNDARY)
    const crash = { status: 400, errorType: 'InjectedCrash', message: 'the run died here' }
    const remove = () => removeStageOf({ configFile: project.config, stage: 'prod', ...FAST })
    await deploy()
    bed.shim.clearCalls()
    await remove()
    const removeWrites = bed.shim.writes().length
    bed.shim.clearCalls()
    await deploy()
    const deployWrites = bed.shim.writes().length
    await remove()
    for (const [what, count, run] of [
      ['deploy', deployWrites, deploy],
      ['remove', removeWrites, remove],
    ] as const) {
      for (let k = 1; k <= count; k++) {
        if (what === 'remove') await deploy()
        bed.shim.failAfterWrites(k, crash)
        await assert.rejects(run(), /InjectedCrash/, `${what} dying at write ${k}`)
        bed.shim.clearFaults()
        await run()
        const state = await readAccount()
        if (what === 'deploy') {
          assert.equal((await role()).boundary, BOUNDARY, `the role has its boundary after dying at write ${k}`)
          await remove()
        } else {
          assert.deepEqual(
            [state.roles.length, state.functions.length, state.apis.length, state.logGroups.length],
            [0, 0, 0, 0],
            `remove dying at write ${k}`,
          )
        }
      }
    }
  })
})
