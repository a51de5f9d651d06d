// The connection registry (`connections: registry`) end to end on moto behind the shim, through the real AWS SDK: the
// table the engine makes and the function that uses it (the smoke test's invocation writes to it from inside the
// function), unchanged redeploys, turning it off, remove, a deploy right after a remove, TTL drift, a foreign table.
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { after, before, beforeEach, describe, test } from 'node:test'
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb'
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda'
import { deployStage, removeStageOf } from '../src/pipeline.ts'
import { VERSION } from '../src/version.ts'
import { FAST, scratchProject, startAwsBed, type AwsBed, type Project } from './helpers/aws-bed.ts'
import { readAccount, sdk } from './helpers/aws-state.ts'

const ACCOUNT = '123456789012'
const TABLE = 'my-socket-prod-connections'
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${TABLE}`
const TAGS = {
  'socket-action:app': 'my-socket',
  'socket-action:stage': 'prod',
  'socket-action:repo': 'local',
  'socket-action:region': 'us-east-1',
  'socket-action:version': VERSION,
}

// A handler that uses the registry's table from inside the function: $connect stores the connection, the smoke
// message reads it back. The SDK client is the one the Lambda runtime ships (external in the bundle).
const SOCKET_JS = `const { DynamoDBClient, PutItemCommand, GetItemCommand } = require('@aws-sdk/client-dynamodb')
const db = new DynamoDBClient({})
const TableName = process.env.SOCKET_ACTION_TABLE
on('connect', async (data, socket) => {
  if (TableName) await db.send(new PutItemCommand({ TableName, Item: { pk: { S: 'conn#' + socket.id }, sk: { S: 'meta' }, expires: { N: '4102444800' } } }))
  return 200
})
on('ping', async (data, socket) => {
  const got = await db.send(new GetItemCommand({ TableName, Key: { pk: { S: 'conn#' + socket.id }, sk: { S: 'meta' } } }))
  await socket.send(got.Item ? 'stored in ' + TableName : 'missing')
})
on('default', async (data, socket) => socket.send(data))
`

describe('connection registry on moto', () => {
  let bed: AwsBed
  let project: Project
  const db = new DynamoDBClient({ region: 'us-east-1' })
  before(async () => (bed = await startAwsBed()))
  after(async () => {
    db.destroy()
    await project?.remove()
    await bed.stop()
  })
  beforeEach(async () => {
    await bed.reset()
    await project?.remove()
    project = await scratchProject()
    await writeFile(path.join(project.dir, 'socket.js'), SOCKET_JS)
    await setRegistry(true)
  })

  const setRegistry = (on: boolean) =>
    project.edit('serverless.yml', (text) => {
      const without = text.replace(/^ {4}connections: registry\n/m, '').replace(/^ {4}smoke:.*\n/m, '')
      return on
        ? without.replace(
            /^ {2}inputs:\n/m,
            '  inputs:\n    connections: registry\n    smoke: { message: \'{"route":"ping"}\', expect: stored }\n',
          )
        : without
    })
  const deploy = () => deployStage({ configFile: project.config, stage: 'prod', smoke: true, ...FAST })
  const remove = () => removeStageOf({ configFile: project.config, stage: 'prod', ...FAST })
  const writes = () => bed.shim.writes().map((c) => c.operation)
  const tables = async () => (await db.send(new ListTablesCommand({}))).TableNames ?? []
  const firstCall = (operation: string) => bed.shim.calls().find((c) => c.operation === operation)
  const lastCall = (operation: string) => [...bed.shim.calls()].reverse().find((c) => c.operation === operation)

  test('a fresh deploy makes the table (PAY_PER_REQUEST, pk/sk, TTL on expires, tagged), the env and the role policy', async () => {
    const result = await deploy()
    assert.equal(result.changed, true)

    const table = (await db.send(new DescribeTableCommand({ TableName: TABLE }))).Table!
    assert.equal(table.TableStatus, 'ACTIVE')
    assert.equal(table.TableArn, TABLE_ARN)
    assert.equal(table.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST')
    assert.deepEqual(table.KeySchema, [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ])
    assert.deepEqual(table.AttributeDefinitions, [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ])
    assert.equal((table.GlobalSecondaryIndexes ?? []).length + (table.LocalSecondaryIndexes ?? []).length, 0)
    const ttl = (await db.send(new DescribeTimeToLiveCommand({ TableName: TABLE }))).TimeToLiveDescription
    assert.deepEqual(
      { status: ttl?.TimeToLiveStatus, attribute: ttl?.AttributeName },
      { status: 'ENABLED', attribute: 'expires' },
    )
    const tags = (await db.send(new ListTagsOfResourceCommand({ ResourceArn: TABLE_ARN }))).Tags ?? []
    assert.deepEqual(Object.fromEntries(tags.map((t) => [t.Key, t.Value])), TAGS)

    const config = await sdk().lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'my-socket-prod' }))
    assert.deepEqual(config.Environment?.Variables, { TABLE_NAME: 'my-table', SOCKET_ACTION_TABLE: TABLE })

    const state = await readAccount()
    const statements = (state.roles[0]!.policies['socket-action'] as { Statement: Array<Record<string, unknown>> })
      .Statement
    assert.deepEqual(
      statements.find((s) => s.Sid === 'OwnConnectionRegistry'),
      {
        Sid: 'OwnConnectionRegistry',
        Effect: 'Allow',
        Action: [
          'dynamodb:BatchWriteItem',
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
        ],
        Resource: [TABLE_ARN, `${TABLE_ARN}/index/*`],
      },
    )
    assert.deepEqual(
      statements.flatMap((s) => [s.Resource].flat()).filter((r) => String(r).includes(':dynamodb:')),
      [TABLE_ARN, `${TABLE_ARN}/index/*`],
      'no other table is named',
    )

    // The smoke test ran the version inside the function stand-in: its PutItem reached the table through the shim,
    // logged as the function's and not counted among the deploy's writes.
    const put = bed.shim.calls().filter((c) => c.operation === 'PutItem')
    assert.ok(put.length >= 1 && put.every((c) => c.caller === 'function' && c.status === 200), JSON.stringify(put))
    assert.ok(!writes().includes('PutItem'))
    assert.ok(!bed.shim.calls().some((c) => c.operation === 'GetItem' && c.caller === 'deploy'))

    // The order AWS needs: the function names a table that is ACTIVE; the version is invoked after TTL is on.
    const describes = bed.shim.calls().filter((c) => c.operation === 'DescribeTable' && c.caller === 'deploy')
    assert.ok(firstCall('CreateTable')!.end <= firstCall('CreateFunction')!.start)
    assert.ok(
      describes.some((c) => c.start > firstCall('CreateTable')!.end && c.end <= firstCall('CreateFunction')!.start),
      'CreateTable waited for ACTIVE (the shim answers CREATING first) before the function was created',
    )
    const invoke = bed.shim.calls().find((c) => c.operation === 'Invoke')!
    assert.ok(lastCall('UpdateTimeToLive')!.end <= invoke.start, 'TTL is on before the smoke test')
    assert.ok(lastCall('UpdateTimeToLive')!.end <= lastCall('CreateAlias')!.start, 'and before live exists')

    // An unchanged redeploy writes nothing.
    bed.shim.clearCalls()
    const again = await deploy()
    assert.equal(again.changed, false)
    assert.deepEqual(writes(), [])
  })

  test('turning the registry off: the env loses the variable, live moves, then the table is deleted', async () => {
    await deploy()
    await setRegistry(false)
    bed.shim.clearCalls()
    const result = await deploy()
    assert.equal(result.changed, true)
    assert.ok(writes().includes('DeleteTable'))
    assert.ok(lastCall('UpdateAlias')!.end <= firstCall('DeleteTable')!.start, 'deleted once live serves without it')
    assert.ok(firstCall('UpdateFunctionConfiguration')!.end <= firstCall('DeleteTable')!.start)
    assert.deepEqual(await tables(), [])
    const config = await sdk().lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'my-socket-prod' }))
    assert.deepEqual(config.Environment?.Variables, { TABLE_NAME: 'my-table' })
    bed.shim.clearCalls()
    assert.equal((await deploy()).changed, false)
    assert.deepEqual(writes(), [])
  })

  test('remove deletes the table after the function; a deploy right after waits for the DELETING table to go', async () => {
    await deploy()
    bed.shim.configure({ tableDeletingReads: 3 })
    bed.shim.clearCalls()
    const removed = await remove()
    assert.ok(removed.removed.some((a) => a.write === 'DeleteTable'))
    assert.ok(lastCall('DeleteFunction')!.end <= firstCall('DeleteTable')!.start)
    assert.deepEqual(await tables(), [], 'moto no longer lists it; DescribeTable says DELETING for a moment')

    bed.shim.clearCalls()
    await deploy()
    const creates = bed.shim.calls().filter((c) => c.operation === 'CreateTable')
    assert.ok(
      creates.length >= 2 && creates[0]!.status === 400 && creates.at(-1)!.status === 200,
      `CreateTable refused while DELETING, then made: ${creates.map((c) => c.status)}`,
    )
    assert.deepEqual(await tables(), [TABLE])
    const item = await db.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'conn#none' }, sk: { S: 'meta' } } }),
    )
    assert.equal(item.Item, undefined)

    // Removing the stage leaves nothing, and a second remove finds nothing.
    await remove()
    assert.deepEqual(await tables(), [])
    assert.equal((await readAccount()).tables.length, 0)
  })

  test('TTL turned off by hand is turned on again by the next deploy, with that one write', async () => {
    await deploy()
    await db.send(
      new UpdateTimeToLiveCommand({
        TableName: TABLE,
        TimeToLiveSpecification: { AttributeName: 'expires', Enabled: false },
      }),
    )
    bed.shim.clearCalls()
    await deploy()
    assert.deepEqual(writes(), ['UpdateTimeToLive'])
    const ttl = (await db.send(new DescribeTimeToLiveCommand({ TableName: TABLE }))).TimeToLiveDescription
    assert.equal(ttl?.TimeToLiveStatus, 'ENABLED')
  })

  test('a table with the name but not our tags stops the deploy before any write, and is left alone', async () => {
    await db.send(
      new CreateTableCommand({
        TableName: TABLE,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        Tags: [{ Key: 'team', Value: 'billing' }],
      }),
    )
    bed.shim.clearCalls()
    await assert.rejects(deploy(), /table "my-socket-prod-connections" exists but is not tagged as socket-action/)
    assert.deepEqual(writes(), [])
    // Without the registry the stage deploys, and remove leaves that table where it is.
    await setRegistry(false)
    await deploy()
    await remove()
    assert.deepEqual(await tables(), [TABLE])
  })
})
