// API Gateway as AWS runs it, where moto does not: a per-account quota on CreateDeployment, PENDING before DEPLOYED,
// FAILED with a reason, and a GetApis listing that lags behind CreateApi. Each test fails without the engine's handling of that case.
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { GetStagesCommand } from '@aws-sdk/client-apigatewayv2'
import { deployStage } from '../src/pipeline.ts'
import { FAST, scratchProject, startAwsBed, type AwsBed, type Project } from './helpers/aws-bed.ts'
import { readAccount, sdk } from './helpers/aws-state.ts'

describe('API Gateway deployments', () => {
  let bed: AwsBed
  let project: Project
  const deploy = (stage = 'prod') => deployStage({ configFile: project.config, stage, ...FAST })
  const calls = (operation: string) => bed.shim.calls().filter((c) => c.operation === operation)
  const statuses = (operation: string) =>
    calls(operation).map((c) => (c.status >= 200 && c.status < 300 ? 'ok' : c.status))

  before(async () => {
    bed = await startAwsBed()
    project = await scratchProject()
  })
  after(async () => {
    await project.remove()
    await bed.stop()
  })
  beforeEach(() => bed.reset())

  test('a FAILED deployment fails the deploy with its reason and writes no stage marker; the next run deploys', async () => {
    bed.shim.configure({ failingDeployments: 1 })
    await assert.rejects(
      deploy(),
      /could not deploy API \w+ \(deployment \w+ FAILED\): Execution failed due to configuration error: Invalid permissions/,
    )
    const [api] = (await readAccount()).apis
    const stages = (await sdk().apigw.send(new GetStagesCommand({ ApiId: api!.id }))).Items ?? []
    assert.ok(
      stages.every((s) => !s.Description?.startsWith('socket-action deployment')),
      'no marker for a failed deployment',
    )

    const again = await deploy()
    assert.equal(again.changed, true)
    const stage = (await readAccount()).apis[0]!.stages[0]!
    assert.ok(stage.deployed && stage.description?.startsWith('socket-action deployment'))
  })

  test('a PENDING deployment is waited for before the stage points at it', async () => {
    bed.shim.configure({ deploymentPendingReads: 2 })
    await deploy()
    assert.equal(calls('GetDeployment').length, 3, 'two PENDING reads, then DEPLOYED')
    const deployed = calls('GetDeployment').at(-1)!.end
    const stageWrite = [...calls('CreateStage'), ...calls('UpdateStage')].filter((c) => c.status < 300)
    assert.ok(
      stageWrite.length > 0 && stageWrite.every((c) => c.start >= deployed),
      'the stage is pointed at the deployment only once it is DEPLOYED',
    )
  })

  test('three stages deploying at once in one account all succeed under the CreateDeployment quota', async () => {
    // AWS: 1 every 5 s per account. Scaled to 4 s here; the SDK's own throttling retries alone give up sooner.
    bed.shim.configure({ deploymentIntervalMs: 4000 })
    const results = await Promise.all(['pr-1', 'pr-2', 'pr-3'].map((stage) => deploy(stage)))
    assert.deepEqual(
      results.map((r) => r.url.split('/').at(-1)),
      ['pr-1', 'pr-2', 'pr-3'],
    )
    assert.ok(statuses('CreateDeployment').includes(429), 'the quota was hit')
    assert.equal(statuses('CreateDeployment').filter((s) => s === 'ok').length, 3)
    const stages = (await readAccount()).apis.flatMap((a) => a.stages)
    assert.equal(stages.length, 3)
    assert.ok(stages.every((s) => s.deployed && s.description?.startsWith('socket-action deployment')))
  })

  test('a GetApis listing that lags behind CreateApi does not make the run create a second API', async () => {
    // Two lagging reads: the race check after CreateApi, and (without the engine's handling) the next round's observe.
    bed.shim.configure({ apiListingLagReads: 2 })
    const result = await deploy()
    assert.equal(calls('CreateApi').length, 1)
    let apis = (await readAccount()).apis
    for (let read = 1; read < 4 && apis.length === 0; read++) apis = (await readAccount()).apis // the listing catches up
    assert.deepEqual(
      apis.map((a) => a.id),
      [result.apiId],
    )
    assert.ok(apis[0]!.stages[0]?.deployed)
    bed.shim.clearCalls()
    assert.equal((await deploy()).changed, false)
  })

  test('a round that goes stale after CreateApi while the listing lags continues on the API it made, read by id', async () => {
    bed.shim.configure({ apiListingLagReads: 6 })
    // Round 1 dies on a conflict after the API, integration and routes exist; round 2's listing does not show the API.
    bed.shim.fault({
      operation: 'CreateStage',
      status: 409,
      errorType: 'ConflictException',
      message: 'Stage already exists: prod',
    })
    const result = await deploy()
    assert.equal(calls('CreateApi').length, 1)
    assert.equal(calls('CreateIntegration').length, 1, 'no second integration')
    assert.deepEqual(statuses('CreateRoute'), ['ok', 'ok', 'ok'], 'no route created twice')
    assert.ok(
      result.actions.some((a) => a.id === 'api:create'),
      "the result counts the stale round's writes",
    )
    assert.ok(result.rounds >= 2)
    let apis = (await readAccount()).apis
    for (let read = 1; read < 8 && apis.length === 0; read++) apis = (await readAccount()).apis
    assert.deepEqual(
      apis.map((a) => a.id),
      [result.apiId],
    )
    assert.equal(apis[0]!.integrations.length, 1)
  })
})
