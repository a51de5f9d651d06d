// The function's CloudWatch log group: made by the deploy with a retention and our tags, before Lambda would make it
// untagged and keep logs forever; adopted when Lambda made it for an older stage; deleted by remove, only when ours.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs'
import { deployStage, removeStageOf } from '../src/pipeline.ts'
import { FAST, freshStagePerTest } from './helpers/aws-bed.ts'
import { readAccount, sdk } from './helpers/aws-state.ts'

const GROUP = '/aws/lambda/my-socket-prod'

describe('the log group', () => {
  const suite = freshStagePerTest()
  const deploy = () => deployStage({ configFile: suite.project.config, stage: 'prod', ...FAST })
  const remove = () => removeStageOf({ configFile: suite.project.config, stage: 'prod', ...FAST })
  const writes = () => suite.bed.shim.writes().map((c) => c.operation)

  test('a fresh deploy makes it tagged, with 30 days by default; logRetentionDays changes only the retention', async () => {
    await deploy()
    const [group] = (await readAccount()).logGroups
    assert.equal(group!.name, GROUP)
    assert.equal(group!.retentionDays, 30)
    assert.deepEqual(Object.fromEntries(Object.entries(group!.tags).filter(([k]) => k !== 'socket-action:version')), {
      'socket-action:app': 'my-socket',
      'socket-action:stage': 'prod',
      'socket-action:repo': 'local',
      'socket-action:region': 'us-east-1',
    })
    await suite.project.edit('serverless.yml', (s) => s.replace('timeout: 10', 'timeout: 10\n    logRetentionDays: 7'))
    suite.bed.shim.clearCalls()
    await deploy()
    assert.deepEqual(writes(), ['PutRetentionPolicy'])
    assert.equal((await readAccount()).logGroups[0]!.retentionDays, 7)
  })

  test('a group Lambda made for an older stage (untagged, never expiring) is adopted, keeps its logs, then is removed with the stage', async () => {
    await sdk().logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }))
    const logs: string[] = []
    await deployStage({
      configFile: suite.project.config,
      stage: 'prod',
      ...FAST,
      events: { log: (l) => logs.push(l) },
    })
    let [group] = (await readAccount()).logGroups
    assert.equal(group!.retentionDays, undefined, 'the default never shortens the life of logs that exist')
    assert.equal(group!.tags['socket-action:stage'], 'prod')
    assert.ok(
      logs.some((l) => l.includes(`log group ${GROUP} keeps its retention (never expire); set logRetentionDays`)),
      logs.join('\n'),
    )
    suite.bed.shim.clearCalls()
    await deploy()
    assert.deepEqual(writes(), [], 'and the next deploy still writes nothing')
    await suite.project.edit('serverless.yml', (s) => s.replace('timeout: 10', 'timeout: 10\n    logRetentionDays: 90'))
    await deploy()
    ;[group] = (await readAccount()).logGroups
    assert.equal(group!.retentionDays, 90, 'an explicit setting applies')
    await remove()
    assert.deepEqual((await readAccount()).logGroups, [])
  })

  test('remove never deletes an untagged group, and deploy never touches one tagged for another stage', async () => {
    await sdk().logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }))
    suite.bed.shim.clearCalls()
    await remove()
    assert.ok(!writes().includes('DeleteLogGroup'))
    assert.equal((await readAccount()).logGroups.length, 1)

    await suite.bed.reset()
    await sdk().logs.send(
      new CreateLogGroupCommand({
        logGroupName: GROUP,
        tags: { 'socket-action:app': 'other', 'socket-action:stage': 'prod', 'socket-action:repo': 'local' },
      }),
    )
    suite.bed.shim.clearCalls()
    await assert.rejects(
      deploy(),
      /log-group "\/aws\/lambda\/my-socket-prod" exists but is not tagged as socket-action app "my-socket"/,
    )
    assert.deepEqual(writes(), [])
  })
})
