// AWS as it behaves where moto is lenient, each case simulated by the shim and handled by the engine: Lambda takes
// one change to a function at a time. Each test fails without the engine's handling (ordering, or retry).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  AddPermissionCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda'
import { deployStage, removeStageOf } from '../src/pipeline.ts'
import { FAST, freshStagePerTest } from './helpers/aws-bed.ts'
import { readAccount, sdk } from './helpers/aws-state.ts'

describe('Lambda conflicts: one change to a function at a time', () => {
  const suite = freshStagePerTest()
  const deploy = () => deployStage({ configFile: suite.project.config, stage: 'prod', ...FAST })
  const lambdaWrites = () => suite.bed.shim.writes().filter((c) => c.service === 'lambda')
  const statuses = (operation: string) =>
    suite.bed.shim
      .calls()
      .filter((c) => c.operation === operation)
      .map((c) => (c.status >= 200 && c.status < 300 ? 'ok' : c.status))

  test('the shim refuses TagResource, AddPermission and RemovePermission while an update is InProgress, as AWS does', async () => {
    const { functionArn, functionName } = await deploy()
    suite.bed.shim.configure({ inProgressReads: 5 })
    const { lambda } = sdk()
    await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: functionName, Description: 'changed by hand' }),
    )
    const refused = async (name: string, call: Promise<unknown>) =>
      call.then(
        () => assert.fail(`${name} must be refused while the function is InProgress`),
        (error: Error) => assert.equal(error.name, 'ResourceConflictException', name),
      )
    await refused('TagResource', lambda.send(new TagResourceCommand({ Resource: functionArn, Tags: { a: 'b' } })))
    await refused('UntagResource', lambda.send(new UntagResourceCommand({ Resource: functionArn, TagKeys: ['a'] })))
    await refused(
      'AddPermission',
      lambda.send(
        new AddPermissionCommand({
          FunctionName: functionName,
          StatementId: 'x',
          Action: 'lambda:InvokeFunction',
          Principal: 'apigateway.amazonaws.com',
        }),
      ),
    )
    await refused(
      'RemovePermission',
      lambda.send(new RemovePermissionCommand({ FunctionName: functionName, StatementId: 'socket-action-apigateway' })),
    )
    await refused(
      'UpdateFunctionCode',
      lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: functionName,
          ZipFile: new Uint8Array([80, 75, 5, 6, ...new Array(18).fill(0)]),
        }),
      ),
    )
  })

  test('a code change and a tag change in one run: each function write waits for the last, so none is refused', async () => {
    const first = await deploy()
    // The socket-action version tag changes with the bundle when socket-action is upgraded: drift the tag instead.
    await sdk().lambda.send(
      new UntagResourceCommand({ Resource: first.functionArn, TagKeys: ['socket-action:version'] }),
    )
    await suite.project.edit('socket.js', (s) => `${s}\nglobalThis.codeVersion = 2\n`)
    await suite.project.edit('serverless.yml', (s) => s.replace('memory: 128', 'memory: 256'))
    suite.bed.shim.configure({ inProgressReads: 3 })
    suite.bed.shim.clearCalls()
    const second = await deploy()
    assert.equal(second.changed, true)
    const ops = lambdaWrites().map((c) => `${c.operation} ${c.status}`)
    // The tag waits for the code update to finish; live's move, to the version that update published, does not.
    assert.deepEqual(ops.map((o) => o.split(' ')[0]).sort(), [
      'TagResource',
      'UpdateAlias',
      'UpdateFunctionCode',
      'UpdateFunctionConfiguration',
    ])
    const code = lambdaWrites().find((c) => c.operation === 'UpdateFunctionCode')!
    const tag = lambdaWrites().find((c) => c.operation === 'TagResource')!
    assert.ok(code.end <= tag.start)
    assert.ok(
      ops.every((o) => o.endsWith(' 200') || o.endsWith(' 201')),
      `no write was refused: ${ops.join(', ')}`,
    )
  })

  test('a ResourceConflictException from a change made elsewhere is waited out on AddPermission and TagResource', async () => {
    const busy = {
      status: 409,
      errorType: 'ResourceConflictException',
      message:
        'The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:us-east-1:123456789012:function:my-socket-prod',
    }
    suite.bed.shim.fault({ operation: 'AddPermission', ...busy, times: 2 })
    await deploy()
    assert.deepEqual(statuses('AddPermission'), [409, 409, 'ok'])

    const { lambda } = sdk()
    const fn = (await deploy()).functionArn
    await lambda.send(new UntagResourceCommand({ Resource: fn, TagKeys: ['socket-action:version'] }))
    suite.bed.shim.clearCalls()
    suite.bed.shim.fault({ operation: 'TagResource', ...busy })
    await deploy()
    assert.deepEqual(statuses('TagResource'), [409, 'ok'])
  })

  test('remove waits out IAM DeleteConflict on DeleteRole right after DeleteRolePolicy', async () => {
    await deploy()
    suite.bed.shim.clearCalls()
    const removed = await removeStageOf({ configFile: suite.project.config, stage: 'prod', ...FAST })
    assert.ok(removed.removed.length > 0)
    assert.deepEqual(statuses('DeleteRole'), [409, 'ok'])
    assert.deepEqual((await readAccount()).roles, [])
  })
})
