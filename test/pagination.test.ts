// Pagination of the AWS reads (moto ignores it, so it is tested here with a scripted client: one function each).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { LambdaClient } from '@aws-sdk/client-lambda'
import type { AwsClients } from '../src/aws/clients.ts'
import { listApis } from '../src/aws/observe.ts'
import { listStages } from '../src/aws/stage-discovery.ts'

type Page = { items: unknown[]; next?: string }

function scripted(pages: Record<string, Record<string, Page>>, seen: string[]): AwsClients {
  // Real clients with a scripted send: the SDK's paginators accept only an instance of their own client.
  const client = <C extends object>(real: C): C =>
    Object.assign(real, {
      send: async (command: { constructor: { name: string }; input: Record<string, string | undefined> }) => {
        const name = command.constructor.name
        const { input } = command
        const token =
          input.NextToken ?? input.Marker ?? input.ExclusiveStartTableName ?? input.Resource ?? input.ResourceArn ?? ''
        seen.push(`${name}:${token || (input.TableName ?? '')}`)
        if (name === 'ListTagsCommand') return { Tags: pages.tags![input.Resource!]!.items[0] }
        if (name === 'DescribeTableCommand') return { Table: { TableArn: `arn:table/${input.TableName}` } }
        if (name === 'ListTagsOfResourceCommand') {
          const tags = pages.tags![input.ResourceArn!]!.items[0] as Record<string, string>
          return { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }
        }
        const page = pages[name]![token]!
        if (name === 'ListTablesCommand') return { TableNames: page.items, LastEvaluatedTableName: page.next }
        return name === 'ListFunctionsCommand'
          ? { Functions: page.items, NextMarker: page.next }
          : { Items: page.items, NextToken: page.next }
      },
    })
  const config = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }
  return {
    apigw: client(new ApiGatewayV2Client(config)),
    lambda: client(new LambdaClient(config)),
    dynamodb: client(new DynamoDBClient(config)),
  } as unknown as AwsClients
}

const tags = (stage: string, repo = 'octo/sockets') => ({
  'socket-action:app': 'chat',
  'socket-action:stage': stage,
  'socket-action:repo': repo,
})

test('listApis follows NextToken to the last page', async () => {
  const seen: string[] = []
  const clients = scripted(
    {
      GetApisCommand: {
        '': { items: [{ ApiId: 'a' }], next: 't1' },
        t1: { items: [{ ApiId: 'b' }], next: 't2' },
        t2: { items: [{ ApiId: 'c' }] },
      },
    },
    seen,
  )
  assert.deepEqual(
    (await listApis(clients)).map((a) => a.ApiId),
    ['a', 'b', 'c'],
  )
  assert.deepEqual(seen, ['GetApisCommand:', 'GetApisCommand:t1', 'GetApisCommand:t2'])
})

test("listStages finds every stage of the app and repository across pages of APIs, functions and tables, and reads only the app's functions' and tables' tags", async () => {
  const seen: string[] = []
  const clients = scripted(
    {
      GetApisCommand: {
        '': { items: [{ ApiId: 'a', Tags: tags('pr-1') }], next: 'n' },
        n: {
          items: [
            { ApiId: 'b', Tags: tags('pr-2', 'someone/else') },
            { ApiId: 'c', Tags: tags('prod') },
          ],
        },
      },
      ListFunctionsCommand: {
        '': {
          items: [
            { FunctionName: 'chat-pr-3', FunctionArn: 'arn:chat-pr-3' },
            { FunctionName: 'other-app', FunctionArn: 'arn:other' },
          ],
          next: 'm',
        },
        m: { items: [{ FunctionName: 'chat-pr-1', FunctionArn: 'arn:chat-pr-1' }] },
      },
      ListTablesCommand: {
        '': { items: ['chat-pr-1-connections', 'chat-data'], next: 'chat-data' },
        // A stage whose remove stopped after the function: only its registry table is left.
        'chat-data': { items: ['chat-pr-4-connections', 'other-app-connections'] },
      },
      tags: {
        'arn:chat-pr-3': { items: [tags('pr-3')] },
        'arn:chat-pr-1': { items: [tags('pr-1')] },
        'arn:table/chat-pr-1-connections': { items: [tags('pr-1')] },
        'arn:table/chat-pr-4-connections': { items: [tags('pr-4')] },
      },
    },
    seen,
  )
  assert.deepEqual(await listStages(clients, 'chat', 'octo/sockets'), ['pr-1', 'pr-3', 'pr-4', 'prod'])
  assert.ok(seen.includes('ListTablesCommand:chat-data'), 'ListTables follows LastEvaluatedTableName')
  assert.ok(!seen.some((c) => /chat-data|other-app-connections/.test(c) && !c.startsWith('ListTables')))
  assert.ok(seen.includes('ListFunctionsCommand:m'))
  assert.ok(seen.includes('ListTagsCommand:arn:chat-pr-3'))
  assert.ok(!seen.includes('ListTagsCommand:arn:other'), "another app's function is not read")
})
