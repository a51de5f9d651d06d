// The observe-plan-apply loop with a scripted adapter: what a run that loses the race for the API does.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SocketConfig } from '../src/config/index.ts'
import type { Facts } from '../src/engine/apply.ts'
import { reconcile, type StageAdapter } from '../src/engine/deploy.ts'
import { desiredState } from '../src/engine/desired.ts'
import type { Action, ObservedApi, ObservedState } from '../src/engine/model.ts'
import { AWS_PARTITION } from '../src/engine/names.ts'
import { socketConfig } from './helpers/socket-config.ts'

const socket: SocketConfig = socketConfig()
const identity = { app: 'chat', stage: 'prod', repo: 'octo/sockets', region: 'us-east-1' }
const desiredFor = (o: ObservedState) =>
  desiredState({
    socket,
    identity,
    region: 'us-east-1',
    account: o.account,
    partition: o.partition,
    codeSha256: 'sha',
    handler: 'index.handler',
    version: '1',
  })
const bareApi = (id: string, created: string): ObservedApi => ({
  id,
  name: 'chat-prod',
  createdDate: created,
  tags: {
    ...desiredFor({ account: '1', partition: AWS_PARTITION, apis: [], foreign: [] }).tags,
    'socket-action:created': created,
  },
  routeSelectionExpression: '$request.body.route',
  description: 'socket-action chat (octo/sockets)',
  integrations: [],
  routes: [],
  stages: [],
})

test('a run whose new API lost the race never points the role policy or the permission at it, and continues on the winner', async () => {
  const theirs = bareApi('theirs', '2026-01-01T00:00:00.100Z')
  const mine = bareApi('mine', '2026-01-01T00:00:00.200Z')
  const executed: Array<{ round: number; action: Action; facts: Facts }> = []
  let round = 0
  const adapter: StageAdapter = {
    // Round 1 sees nothing (the other run had not created its API yet); round 2 sees both.
    observe: async () => {
      round++
      return { account: '111111111111', partition: AWS_PARTITION, apis: round === 1 ? [] : [theirs, mine], foreign: [] }
    },
    describeApi: async (id) => [theirs, mine].find((api) => api.id === id),
    executor: () => async (action, facts) => {
      if (action.id === 'api:create') facts.apiId = 'mine'
      if (action.id === 'integration:create') facts.integrationId = `int-${round}`
      if (action.id === 'deployment:create') facts.deploymentId = `dep-${round}`
      await new Promise((resolve) => setTimeout(resolve, 5))
      executed.push({ round, action, facts: { ...facts } })
    },
    taggedApis: async () => [mine, theirs],
  }
  const result = await reconcile(adapter, desiredFor)
  assert.equal(result.apiId, 'theirs')
  assert.equal(result.rounds, 2)
  const first = executed.filter((e) => e.round === 1).map((e) => e.action.id)
  assert.ok(first.includes('api:create'))
  assert.ok(!first.includes('role-policy:put') && !first.includes('permission:add'), `round 1 ran ${first}`)
  const second = executed.filter((e) => e.round === 2)
  assert.ok(
    second.some((e) => e.action.id === 'api:delete:mine'),
    'the losing API is deleted',
  )
  const policy = JSON.stringify(second.find((e) => e.action.id === 'role-policy:put')!.action.params)
  assert.match(policy, /:theirs\/prod\/\*\/@connections\/\*/)
  assert.doesNotMatch(policy, /:mine\//)
})
