// The connection registry from the deployed zip: examples/chat deployed on moto behind the shim (its table, role and
// env made by the engine, its smoke test passed), then API Gateway's events invoked on the `live` alias through the
// shim's Lambda Invoke, which runs the uploaded zip. The function's registry calls reach moto's DynamoDB; its
// @connections posts reach a local server that stands in for API Gateway's and answers 410 for gone connections.
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { DynamoDBClient, QueryCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb'
import { InvokeCommand } from '@aws-sdk/client-lambda'
import { PRUNE_GRACE_MS } from '../runtime/connection-registry.ts'
import type { WebSocketEvent } from '../runtime/types.ts'
import { connectEvent, disconnectEvent, messageEvent } from '../src/dev/events.ts'
import { startDev } from '../src/dev/serve.ts'
import { deployStage } from '../src/pipeline.ts'
import { verifyEndpoint } from '../src/verify.ts'
import { FAST, scratchProject, startAwsBed, type AwsBed, type Project } from './helpers/aws-bed.ts'
import { sdk } from './helpers/aws-state.ts'

const TABLE = 'chat-prod-connections'
const EXAMPLE = new URL('../examples/chat', import.meta.url).pathname

/** API Gateway's @connections API as far as the function uses it: POSTs recorded by id, 410 for `gone` ids. */
async function connectionsApi() {
  const received = new Map<string, unknown[]>()
  const gone = new Set<string>()
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const id = decodeURIComponent(/\/@connections\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '')
      if (req.method !== 'POST' || !id) res.writeHead(404).end()
      else if (gone.has(id)) {
        res.writeHead(410, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'GoneException' })
        res.end('{"message":null}')
      } else {
        received.set(id, [...(received.get(id) ?? []), JSON.parse(Buffer.concat(chunks).toString())])
        res.writeHead(200).end()
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { received, gone, url: `http://127.0.0.1:${port}/prod`, close: () => server.close() }
}

describe('the registry from the deployed zip (shim Invoke, moto DynamoDB)', () => {
  let bed: AwsBed
  let project: Project
  let api: Awaited<ReturnType<typeof connectionsApi>>
  const db = new DynamoDBClient({ region: 'us-east-1' })
  before(async () => {
    api = await connectionsApi()
    bed = await startAwsBed({ functionEnv: { AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI: api.url } })
    project = await scratchProject(EXAMPLE)
  })
  after(async () => {
    db.destroy()
    api?.close()
    await project?.remove()
    await bed?.stop()
  })

  const facts = { apiId: 'abcdef1234', domainName: 'abcdef1234.execute-api.us-east-1.amazonaws.com', stage: 'prod' }
  const conn = (connectionId: string) => ({ connectionId, connectedAt: Date.now(), sourceIp: '203.0.113.7' })
  async function invoke(event: WebSocketEvent): Promise<{ statusCode?: number; errorMessage?: string }> {
    const out = await sdk().lambda.send(
      new InvokeCommand({ FunctionName: 'chat-prod', Qualifier: 'live', Payload: JSON.stringify(event) }),
    )
    return JSON.parse(Buffer.from(out.Payload ?? []).toString() || '{}')
  }
  const connect = (id: string, name: string) =>
    invoke(
      connectEvent(
        facts,
        conn(id),
        { rawHeaders: ['Host', facts.domainName], url: `/prod?name=${name}` },
        443,
        'https',
      ),
    )
  const say = (id: string, route: string, data: unknown) =>
    invoke(messageEvent(facts, conn(id), '$default', JSON.stringify({ route, data })))
  const items = async (pk: string) =>
    (
      await db.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: pk } },
        }),
      )
    ).Items ?? []
  const ids = async (pk: string) => (await items(pk)).map((i) => i.sk!.S).sort()

  test('deploys with its smoke test, then registers, joins, fans out, prunes and unregisters on DynamoDB', async () => {
    const result = await deployStage({ configFile: project.config, stage: 'prod', smoke: true, ...FAST })
    assert.equal(result.changed, true)
    // The smoke test's $connect (no name: refused with 400) wrote nothing, in its namespace or the stage's.
    assert.equal((await db.send(new ScanCommand({ TableName: TABLE, Select: 'COUNT' }))).Count, 0)

    assert.equal((await connect('ADA=', 'ada')).statusCode, 200)
    assert.equal((await connect('BOB=', 'bob')).statusCode, 200)
    assert.equal((await connect('EVE=', '')).statusCode, 400)
    assert.deepEqual(await ids('all'), ['ADA=', 'BOB='], 'accepted connections only')

    await say('ADA=', 'join', { room: 'lobby' })
    await say('BOB=', 'join', { room: 'lobby' })
    assert.deepEqual(await ids('room#lobby'), ['ADA=', 'BOB='])
    const lobby = await items('room#lobby')
    assert.deepEqual(
      lobby.map((i) => JSON.parse(i.a!.M!.name!.S!)),
      ['ada', 'bob'],
      'each membership carries its connection attributes, for presence',
    )
    assert.deepEqual(api.received.get('ADA='), [
      { type: 'joined', room: 'lobby', name: 'ada' },
      { type: 'welcome', room: 'lobby', members: ['ada'] },
      { type: 'joined', room: 'lobby', name: 'bob' },
    ])

    api.received.clear()
    await say('BOB=', 'say', { text: 'hi' })
    const heard = { type: 'message', room: 'lobby', from: 'bob', text: 'hi' }
    assert.deepEqual(Object.fromEntries(api.received), { 'ADA=': [heard], 'BOB=': [heard] })

    // ada vanished without a $disconnect, registered longer ago than the grace period: the next send prunes her.
    api.gone.add('ADA=')
    const old = String(Date.now() - PRUNE_GRACE_MS - 60_000)
    for (const pk of ['all', 'room#lobby'])
      await db.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: { pk: { S: pk }, sk: { S: 'ADA=' } },
          UpdateExpression: 'SET #at = :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': { N: old } },
        }),
      )
    await say('BOB=', 'say', { text: 'anyone?' })
    assert.deepEqual(await ids('all'), ['BOB='])
    assert.deepEqual(await ids('room#lobby'), ['BOB='])

    // $disconnect: bob's handler tells the room (nobody but him), then the registry forgets him.
    await invoke(disconnectEvent(facts, conn('BOB='), 1000, ''))
    assert.equal((await db.send(new ScanCommand({ TableName: TABLE, Select: 'COUNT' }))).Count, 0)
    const functionCalls = bed.shim
      .calls()
      .filter((c) => c.caller === 'function')
      .map((c) => c.operation)
    assert.ok(!functionCalls.includes('Scan'), 'no Scan on any path')
    assert.ok(functionCalls.includes('Query') && functionCalls.includes('BatchWriteItem'))
  })

  test('a rooms app smoke-tests against its table in a namespace of its own, and verifies as a client in dev', async () => {
    const rooms = await scratchProject(EXAMPLE)
    try {
      await writeFile(path.join(rooms.dir, 'socket.js'), ROOMS_JS)
      await rooms.edit('serverless.yml', (text) =>
        text
          .replace(/^name: chat$/m, 'name: lobby')
          .replace(
            /^ {4}connections: registry.*$/m,
            `    connections: registry\n    smoke: { message: '{"route":"ping"}', expect: pong }`,
          ),
      )
      const callsBefore = bed.shim.calls().length
      await deployStage({ configFile: rooms.config, stage: 'prod', smoke: true, ...FAST })
      const smoke = bed.shim
        .calls()
        .slice(callsBefore)
        .filter((c) => c.caller === 'function')
        .map((c) => c.operation)
      // $connect registered the smoke connection (in the room: one BatchWriteItem), ping read the room (Query),
      // $disconnect removed it (DeleteItem returning its rooms, BatchWriteItem for its membership).
      assert.deepEqual(smoke, ['BatchWriteItem', 'Query', 'DeleteItem', 'BatchWriteItem'])
      const count = await db.send(new ScanCommand({ TableName: 'lobby-prod-connections', Select: 'COUNT' }))
      assert.equal(count.Count, 0, 'the smoke connection is gone again')

      // verify (the Action's client check after live moves) against the same code served by dev.
      const server = await startDev({ configFile: rooms.config, port: 0, log: () => {} })
      try {
        const verified = await verifyEndpoint({
          url: server.url,
          smoke: { message: '{"route":"ping"}', expect: 'pong' },
        })
        assert.match(verified.reply ?? '', /pong from lobby/)
      } finally {
        await server.close()
      }
    } finally {
      await rooms.remove()
    }
  })
})

// Joins a room on connect and answers a ping to the room: the smoke test's reply comes through the registry.
const ROOMS_JS = `on('connect', async (data, socket) => { await socket.join('lobby'); return 200 })
on('ping', async (data, socket) => { await socket.to('lobby').send('pong from lobby') })
`
