// Versions and the alias `live` (issue 12): each change is published as a version that API Gateway reaches through
// `live`, an optional smoke test gates the alias move, old versions are pruned, a rollback is one write, and a stage
// deployed before versions moves to the alias without a moment with no valid target. Against moto behind the shim.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  AddPermissionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  RemovePermissionCommand,
} from '@aws-sdk/client-lambda'
import { CreateDeploymentCommand, UpdateIntegrationCommand, UpdateStageCommand } from '@aws-sdk/client-apigatewayv2'
import type { SmokeTarget } from '../src/aws/smoke.ts'
import { BlockedBySmokeTest } from '../src/aws/writes.ts'
import { deploymentMarker, PlanError } from '../src/engine/plan.ts'
import { deployStage, planStage, rollbackStageOf, type StageOptions } from '../src/pipeline.ts'
import { FAST, freshStagePerTest } from './helpers/aws-bed.ts'
import { comparable, readAccount, sdk } from './helpers/aws-state.ts'
import type { FaultReply } from './helpers/aws-shim.ts'

/** An error and what caused it, down the chain. */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = []
  for (let e = error; e !== undefined && chain.length < 10; e = (e as { cause?: unknown } | null)?.cause) chain.push(e)
  return chain
}

const CRASH: FaultReply = { status: 400, errorType: 'InjectedCrash', message: 'the deploy died here' }
const FN = 'arn:aws:lambda:us-east-1:123456789012:function:my-socket-prod'

describe('versions and the alias live on moto', () => {
  const suite = freshStagePerTest()
  const deploy = (options: Partial<StageOptions> = {}) =>
    deployStage({ configFile: suite.project.config, stage: 'prod', ...FAST, ...options })
  const writes = () => suite.bed.shim.writes().map((c) => c.operation)
  let edits = 0
  /** A code change: the bundle's SHA-256 differs from the last. */
  const changeCode = () => suite.project.edit('socket.js', (s) => `${s}\nglobalThis.edit = ${++edits}\n`)
  const fn = async () => (await readAccount()).functions[0]!

  test('each code change publishes a version and moves live; unchanged publishes nothing; old versions are pruned', async () => {
    const first = await deploy()
    let state = await fn()
    assert.equal(state.live, '1')
    assert.deepEqual(
      state.versions.map((v) => v.version),
      ['1'],
    )
    assert.equal(state.versions[0]!.codeSha256, state.codeSha256)
    assert.deepEqual(first.release, { live: '1', kept: ['1'], previous: undefined })
    const api = (await readAccount()).apis[0]!
    assert.equal(
      api.integrations[0]!.uri,
      `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FN}:live/invocations`,
    )

    suite.bed.shim.clearCalls()
    assert.equal((await deploy()).changed, false)
    assert.deepEqual(writes(), [], 'an unchanged redeploy makes no write')

    await suite.project.edit('serverless.yml', (s) => `${s}    keepVersions: 3\n`)
    for (let n = 2; n <= 6; n++) {
      await changeCode()
      suite.bed.shim.clearCalls()
      const result = await deploy()
      state = await fn()
      assert.equal(state.live, String(n))
      assert.equal(state.versions.at(-1)!.codeSha256, state.codeSha256, 'the new version holds the new code')
      assert.equal(result.release?.live, String(n))
      assert.equal(result.release?.previous, String(n - 1))
      const w = writes()
      assert.deepEqual(
        w.filter((o) => o !== 'DeleteFunction'),
        ['UpdateFunctionCode', 'UpdateAlias'],
        'UpdateFunctionCode publishes the version (Publish: true): no PublishVersion',
      )
    }
    assert.deepEqual(
      state.versions.map((v) => v.version),
      ['4', '5', '6'],
      'the newest keepVersions',
    )
    const deletes = suite.bed.shim.calls().filter((c) => c.operation === 'DeleteFunction')
    assert.ok(deletes.every((c) => /Qualifier=\d+/.test(c.path) || c.kind === 'write'))
    suite.bed.shim.clearCalls()
    await deploy()
    assert.deepEqual(writes(), [], 'and it has converged')
  })

  test('a description-only change updates $LATEST and publishes nothing', async () => {
    await deploy()
    await suite.project.edit('serverless.yml', (s) => s.replace('My Socket Backend', 'changed'))
    suite.bed.shim.clearCalls()
    await deploy()
    assert.deepEqual(writes(), ['UpdateFunctionConfiguration'])
    assert.equal((await fn()).live, '1')
  })

  test('a failing smoke test leaves live where it was and fails the deploy; a passing one moves it', async () => {
    await deploy()
    await changeCode()
    const tested: SmokeTarget[] = []
    const failing = async (target: SmokeTarget) => {
      tested.push(target)
      throw new Error('the echo route did not answer')
    }
    await assert.rejects(deploy({ smokeTest: failing }), (error: Error) => {
      assert.ok(error.cause instanceof BlockedBySmokeTest, String(error))
      assert.match(error.message, /smoke test of my-socket-prod version 2 failed.*the echo route did not answer/)
      return true
    })
    let state = await fn()
    assert.equal(state.live, '1', 'live still points to the old version')
    assert.deepEqual(
      state.versions.map((v) => v.version),
      ['1', '2'],
    )
    assert.deepEqual(tested, [{ functionName: 'my-socket-prod', qualifier: '2', codeSha256: state.codeSha256 }])

    suite.bed.shim.clearCalls()
    const passed: string[] = []
    const result = await deploy({ smokeTest: async (t) => void passed.push(t.qualifier) })
    assert.deepEqual(passed, ['2'], 'the version published by the failed run is tested again, not published again')
    assert.deepEqual(writes(), ['UpdateAlias'])
    state = await fn()
    assert.equal(state.live, '2')
    assert.equal(result.release?.live, '2')

    suite.bed.shim.clearCalls()
    await deploy({ smokeTest: async () => assert.fail('nothing to test: live is current') })
    assert.deepEqual(writes(), [])
  })

  test("a stage's first version that fails its smoke test: the deploy fails, and the integration names an alias that exists", async () => {
    await suite.project.edit('socket.js', (s) => `throw new Error('TABLE_NAME is not set')\n${s}`)
    await assert.rejects(deploy({ smoke: true }), (e: Error) => {
      const blocked = causes(e).find((c): c is BlockedBySmokeTest => c instanceof BlockedBySmokeTest)
      assert.ok(blocked?.firstRelease, String(e))
      assert.match(e.message, /TABLE_NAME is not set.*first version, so the alias live points to it/s)
      return true
    })
    const state = await readAccount()
    const uri = state.apis[0]!.integrations[0]!.uri
    assert.match(uri ?? '', /function:my-socket-prod:live\/invocations$/)
    assert.equal(state.functions[0]!.live, '1', 'live exists: clients reach the code, not an alias that is missing')
    // The same code again: live points to a version that failed, so it is tested again (and fails again).
    const marked = await sdk().lambda.send(new GetAliasCommand({ FunctionName: 'my-socket-prod', Name: 'live' }))
    assert.equal(marked.Description, 'socket-action: version 1 failed its smoke test')
    await assert.rejects(deploy({ smoke: true }), /TABLE_NAME is not set/)
    // Fixed and deployed again: the next version is tested, and only then does live move.
    await suite.project.edit('socket.js', (s) => s.replace("throw new Error('TABLE_NAME is not set')\n", ''))
    suite.bed.shim.clearCalls()
    const fixed = await deploy({ smoke: true })
    assert.equal(fixed.release?.live, '2')
    const calls = suite.bed.shim.calls()
    const alias = calls.find((c) => c.operation === 'UpdateAlias')!
    assert.ok(
      calls.filter((c) => c.operation === 'Invoke').every((c) => c.end <= alias.start),
      'once live exists, it moves only after the smoke test',
    )
  })

  test('with the real smoke test, a socket.js that throws at import is never live: the deploy fails, live still answers with the old code', async () => {
    const good = await deploy({ smoke: true })
    assert.equal(good.release?.live, '1')
    await suite.project.edit('socket.js', (s) => `throw new Error('TABLE_NAME is not set')\n${s}`)
    await assert.rejects(deploy({ smoke: true }), (e: Error) => {
      assert.ok(
        causes(e).some((c) => c instanceof BlockedBySmokeTest),
        String(e),
      )
      assert.match(
        e.message,
        /smoke test of version 2 failed: \$connect threw Error: TABLE_NAME is not set at socket\.js:1/,
      )
      return true
    })
    const state = await fn()
    assert.equal(state.live, '1', 'live did not move')
    // The old code still answers: the version live points to, invoked as API Gateway would for a new client.
    const { smokeTestVersion } = await import('../src/aws/smoke.ts')
    const report = await smokeTestVersion(
      sdk().lambda,
      { functionName: 'my-socket-prod', qualifier: 'live', codeSha256: '' },
      {
        region: 'us-east-1',
        stage: 'prod',
      },
    )
    assert.equal(report.steps[0]!.statusCode, 200)
  })

  test('rollback moves live back in one write, and refuses when there is nothing to go back to', async () => {
    const options = { configFile: suite.project.config, stage: 'prod', ...FAST }
    await deploy()
    await assert.rejects(rollbackStageOf(options), (e: Error) => {
      assert.ok(e instanceof PlanError)
      assert.match(e.message, /no version to roll back to: live points to version 1/)
      return true
    })
    await changeCode()
    await deploy()
    await changeCode()
    await deploy()
    assert.equal((await fn()).live, '3')

    suite.bed.shim.clearCalls()
    const back = await rollbackStageOf(options)
    assert.deepEqual([back.from, back.to], ['3', '2'])
    assert.deepEqual(writes(), ['UpdateAlias'])
    assert.equal((await fn()).live, '2')
    const again = await rollbackStageOf(options)
    assert.deepEqual([again.from, again.to], ['2', '1'], 'a second rollback goes one further back')
    await assert.rejects(rollbackStageOf({ ...options, to: '9' }), /version 9 of my-socket-prod does not exist/)
    suite.bed.shim.clearCalls()
    await rollbackStageOf({ ...options, to: '3' })
    assert.deepEqual(writes(), ['UpdateAlias'])
    assert.equal((await fn()).live, '3')

    // Rolled forward with --to: the next rollback returns to where live was (1), not to the version below 3.
    assert.equal((await rollbackStageOf(options)).to, '1')

    // After a rollback, a deploy of serverless.yml's code moves live to the version holding it, publishing nothing.
    suite.bed.shim.clearCalls()
    await deploy()
    assert.deepEqual(writes(), ['UpdateAlias'])
    assert.equal((await fn()).live, '3')
  })

  test('a stage deployed before versions moves to the alias with no moment without a valid target', async () => {
    await deploy()
    // Rebuild the shape of a stage deployed before versions: no alias, no versions, the integration invoking the
    // unqualified function (deployed to the stage, with that deployment's marker), whose permission lets the API do so.
    const { lambda, apigw } = sdk()
    const api = (await readAccount()).apis[0]!
    const { plan, desired } = await planStage({ configFile: suite.project.config, stage: 'prod' })
    assert.deepEqual(plan.actions, [])
    const integrationId = plan.integrationId!
    const FunctionName = 'my-socket-prod'
    await lambda.send(
      new RemovePermissionCommand({ FunctionName, StatementId: 'socket-action-apigateway-live', Qualifier: 'live' }),
    )
    await lambda.send(new DeleteAliasCommand({ FunctionName, Name: 'live' }))
    await lambda.send(new DeleteFunctionCommand({ FunctionName, Qualifier: '1' }))
    await lambda.send(
      new AddPermissionCommand({
        FunctionName,
        StatementId: 'socket-action-apigateway',
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: `arn:aws:execute-api:us-east-1:123456789012:${api.id}/*`,
      }),
    )
    const legacyUri = desired.api.legacyIntegrationUri
    await apigw.send(
      new UpdateIntegrationCommand({ ApiId: api.id, IntegrationId: integrationId, IntegrationUri: legacyUri }),
    )
    const deployment = await apigw.send(new CreateDeploymentCommand({ ApiId: api.id }))
    await apigw.send(
      new UpdateStageCommand({
        ApiId: api.id,
        StageName: 'prod',
        DeploymentId: deployment.DeploymentId,
        Description: deploymentMarker(
          { ...desired, api: { ...desired.api, integrationUri: legacyUri } },
          integrationId,
        ),
      }),
    )
    const old = await fn()
    assert.equal(old.live, undefined)
    assert.deepEqual(old.versions, [])

    // The first deploy with versions also changes the code (moto publishes only after a change).
    await changeCode()
    suite.bed.shim.clearCalls()
    await deploy()
    const calls = suite.bed.shim.writes()
    assert.deepEqual(
      calls.map((c) => c.operation),
      [
        'UpdateFunctionCode',
        'CreateAlias',
        'AddPermission',
        'UpdateIntegration',
        'CreateDeployment',
        'UpdateStage',
        'RemovePermission',
      ],
      'the alias and its permission first, then the integration and the stage, then the old permission goes',
    )
    for (let i = 1; i < calls.length; i++)
      assert.ok(calls[i]!.start >= calls[i - 1]!.end, `${calls[i]!.operation} waited for ${calls[i - 1]!.operation}`)
    const state = await readAccount()
    assert.equal(state.functions[0]!.live, '2')
    assert.equal(state.apis[0]!.integrations[0]!.uri, desired.api.integrationUri)
    assert.deepEqual(
      (state.functions[0]!.permissions as Array<{ Sid: string }>).map((p) => p.Sid),
      ['socket-action-apigateway-live'],
    )
    suite.bed.shim.clearCalls()
    await deploy()
    assert.deepEqual(writes(), [])
  })

  test('a versioned deploy that dies at any write is finished by the next run', async () => {
    edits = 0
    let socketJs = ''
    let yml = ''
    await suite.project.edit('socket.js', (s) => (socketJs = s))
    await suite.project.edit('serverless.yml', (s) => (yml = s))
    await deploy()
    await suite.project.edit('serverless.yml', (s) => `${s}    keepVersions: 2\n`)
    // Two more versions, so the deploy under test also prunes one.
    for (let n = 0; n < 2; n++) {
      await changeCode()
      await deploy()
    }
    const baseline = comparable(await readAccount())
    await changeCode()
    suite.bed.shim.clearCalls()
    await deploy({ smokeTest: async () => undefined })
    const full = writes()
    assert.deepEqual(full.sort(), ['DeleteFunction', 'UpdateAlias', 'UpdateFunctionCode'])
    const clean = comparable(await readAccount())
    assert.notDeepEqual(clean, baseline)
    const cleanState = await readAccount()
    for (let k = 1; k <= full.length; k++) {
      // Back to the state before the change: roll live back, and put the old code back by deploying it.
      await suite.bed.reset()
      await suite.project.edit('serverless.yml', () => yml)
      await suite.project.edit('socket.js', () => socketJs)
      edits = 0
      await deploy()
      await suite.project.edit('serverless.yml', (s) => `${s}    keepVersions: 2\n`)
      for (let n = 0; n < 2; n++) {
        await changeCode()
        await deploy()
      }
      await changeCode()
      suite.bed.shim.clearCalls()
      suite.bed.shim.failAfterWrites(k, CRASH)
      await assert.rejects(deploy({ smokeTest: async () => undefined }), /died here/, `crash at write ${k}`)
      suite.bed.shim.clearFaults()
      await deploy({ smokeTest: async () => undefined })
      const state = await readAccount()
      assert.deepEqual(comparable(state), comparable(cleanState), `after a crash at write ${k} (${full[k - 1]})`)
      suite.bed.shim.clearCalls()
      await deploy()
      assert.deepEqual(writes(), [], `settled after a crash at write ${k}`)
    }
  })
})
