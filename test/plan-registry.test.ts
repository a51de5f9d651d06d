// The planner and the connection registry (`connections: registry`): a pure function of (desired, observed), no AWS.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { desiredState } from '../src/engine/desired.ts'
import { formatPlan } from '../src/engine/format.ts'
import type { Action, DesiredState, ObservedState, ObservedTable } from '../src/engine/model.ts'
import { planDeploy, planRemove, PlanError, registryKeys } from '../src/engine/plan.ts'
import { AWS_PARTITION, fitName, resourceNames, tableName } from '../src/engine/names.ts'
import { deployedState } from './helpers/observed-state.ts'
import { socketConfig } from './helpers/socket-config.ts'

const identity = { app: 'chat', stage: 'prod', repo: 'octo/sockets', region: 'us-east-1' }
const ACCOUNT = '111111111111'
const TABLE = 'chat-prod-connections'
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${TABLE}`

function desiredWith(registry: boolean, env: Record<string, string> = { A: '1' }): DesiredState {
  return desiredState({
    socket: socketConfig({ env, ...(registry ? { connections: 'registry' as const } : {}) }),
    identity,
    region: 'us-east-1',
    account: ACCOUNT,
    partition: AWS_PARTITION,
    codeSha256: 'sha-1',
    handler: 'index.handler',
    version: '1.0.0',
  })
}

const withRegistry = desiredWith(true)
const withoutRegistry = desiredWith(false)
const empty: ObservedState = { account: ACCOUNT, partition: AWS_PARTITION, apis: [], foreign: [] }

function ourTable(overrides: Partial<ObservedTable> = {}): ObservedTable {
  return {
    name: TABLE,
    arn: TABLE_ARN,
    status: 'ACTIVE',
    tags: withRegistry.tags,
    keys: ['pk:S:HASH', 'sk:S:RANGE'],
    billingMode: 'PAY_PER_REQUEST',
    ttl: { status: 'ENABLED', attribute: 'expires' },
    ...overrides,
  }
}

/** What AWS holds after a clean deploy of `desired` (its table too, when it has the registry). */
const deployed = (desired: DesiredState): ObservedState => ({
  ...deployedState(desired),
  ...(desired.table ? { table: ourTable() } : {}),
})

const byId = (actions: Action[]) => new Map(actions.map((a) => [a.id, a]))
const writes = (actions: Action[]) => actions.map((a) => a.write).sort()

describe('names', () => {
  test('the table is named after the stage, regional like the function, cut to 255 characters', () => {
    assert.equal(resourceNames(identity).tableName, TABLE)
    assert.equal(tableName(identity), TABLE)
    const long = { ...identity, app: 'a'.repeat(64), stage: 's'.repeat(200) }
    const name = tableName(long)
    assert.equal(name.length, 255)
    assert.equal(name, fitName(`${'a'.repeat(64)}-${'s'.repeat(200)}-connections`, 255))
    assert.notEqual(name, tableName({ ...long, stage: `${'s'.repeat(199)}t` }), 'distinct stages stay distinct')
  })
})

describe('desired state with connections: registry', () => {
  test('the function env names the table; the role may use its items and indexes, nothing else of it', () => {
    assert.deepEqual(withRegistry.fn.env, { A: '1', SOCKET_ACTION_TABLE: TABLE })
    assert.deepEqual(withoutRegistry.fn.env, { A: '1' })
    const statement = withRegistry.role.policy.Statement.find((s) => s.Sid === 'OwnConnectionRegistry')
    assert.deepEqual(statement, {
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
    })
    assert.equal(
      withoutRegistry.role.policy.Statement.some((s) => s.Sid === 'OwnConnectionRegistry'),
      false,
    )
    assert.equal(withoutRegistry.table, undefined)
  })
})

describe('planDeploy with the registry', () => {
  test('a fresh stage creates the table, then its TTL; the function, smoke test and alias wait for them', () => {
    const desired = desiredState({
      socket: socketConfig({ connections: 'registry' }),
      identity,
      region: 'us-east-1',
      account: ACCOUNT,
      partition: AWS_PARTITION,
      codeSha256: 'sha-1',
      handler: 'index.handler',
      version: '1.0.0',
      smokeTest: true,
    })
    const plan = planDeploy(desired, empty)
    const actions = byId(plan.actions)
    const create = actions.get('table:create')!
    assert.equal(create.write, 'CreateTable')
    assert.deepEqual(create.params, {
      TableName: TABLE,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      Tags: Object.entries(desired.tags).map(([Key, Value]) => ({ Key, Value })),
    })
    const ttl = actions.get('table:ttl')!
    assert.equal(ttl.write, 'UpdateTimeToLive')
    assert.deepEqual(ttl.params, {
      TableName: TABLE,
      TimeToLiveSpecification: { AttributeName: 'expires', Enabled: true },
    })
    assert.deepEqual(ttl.after, ['table:create'])
    assert.ok(actions.get('function:create')!.after.includes('table:create'), 'the function names an ACTIVE table')
    for (const id of ['function-version:smoke', 'alias:create']) {
      const after = (actions.get(id) ?? plan.actions.find((a) => a.write === 'SmokeTest'))!.after
      assert.ok(after.includes('table:create') && after.includes('table:ttl'), `${id} waits for the table and TTL`)
    }
    const policy = actions.get('role-policy:put')!
    assert.equal(policy.write, 'PutRolePolicy')
    assert.ok(
      JSON.stringify(policy.params).includes('OwnConnectionRegistry'),
      'the role policy has the registry statement',
    )
    const fn = actions.get('function:create')!
    assert.equal(fn.write, 'CreateFunction')
    assert.deepEqual(fn.params.Environment, { Variables: { SOCKET_ACTION_TABLE: TABLE } })
    assert.match(formatPlan(plan), /\+ table chat-prod-connections/)
  })

  test('an unchanged redeploy with the registry plans no write', () => {
    const plan = planDeploy(withRegistry, deployed(withRegistry))
    assert.deepEqual(plan.actions, [])
    assert.ok(plan.unchanged.includes(`table ${TABLE}`))
  })

  test('turning the registry on: the env gains the variable (after the table exists), the policy its statement', () => {
    const plan = planDeploy(withRegistry, deployed(withoutRegistry))
    const actions = byId(plan.actions)
    assert.deepEqual(writes(plan.actions), [
      'CreateTable',
      'PublishVersion',
      'PutRolePolicy',
      'UpdateAlias',
      'UpdateFunctionConfiguration',
      'UpdateTimeToLive',
    ])
    const config = actions.get('function:config')!
    assert.deepEqual(config.diff, [{ field: 'env', from: { A: '1' }, to: { A: '1', SOCKET_ACTION_TABLE: TABLE } }])
    assert.deepEqual(config.after, ['table:create'])
    assert.match(formatPlan(plan), /env: \+SOCKET_ACTION_TABLE \(values hidden\)/)
    assert.ok(actions.get('alias:update')!.after.includes('table:ttl'))
  })

  test('turning the registry off: the env loses the variable and live moves first, then DeleteTable', () => {
    const plan = planDeploy(withoutRegistry, deployed(withRegistry))
    const actions = byId(plan.actions)
    const config = actions.get('function:config')!
    assert.deepEqual(config.diff, [{ field: 'env', from: { A: '1', SOCKET_ACTION_TABLE: TABLE }, to: { A: '1' } }])
    const del = actions.get('table:delete')!
    assert.equal(del.write, 'DeleteTable')
    assert.deepEqual(del.params, { TableName: TABLE })
    assert.deepEqual(del.after.sort(), ['alias:update', 'function:config'])
    const order = plan.actions.map((a) => a.id)
    assert.ok(order.indexOf('table:delete') > order.indexOf('alias:update'))
    assert.ok(!JSON.stringify(actions.get('role-policy:put')!.params).includes('OwnConnectionRegistry'))
  })

  test('a table that is DELETING is not deleted again; a stage that wants it creates it anew', () => {
    const deleting = { ...deployed(withoutRegistry), table: ourTable({ status: 'DELETING' }) }
    assert.deepEqual(planDeploy(withoutRegistry, deleting).actions, [])
    const again = planDeploy(withRegistry, {
      ...deployed(withRegistry),
      table: ourTable({ status: 'DELETING' }),
    })
    assert.deepEqual(writes(again.actions), ['CreateTable', 'UpdateTimeToLive'])
  })

  test('TTL turned off by hand (or a crash before UpdateTimeToLive): the next run turns it on, and only that', () => {
    for (const ttl of [{ status: 'DISABLED' }, undefined]) {
      const observed = { ...deployed(withRegistry), table: ourTable({ ttl }) }
      const plan = planDeploy(withRegistry, observed)
      assert.deepEqual(writes(plan.actions), ['UpdateTimeToLive'], JSON.stringify(ttl))
      assert.deepEqual(plan.actions[0]!.after, [])
    }
  })

  test('TTL still turning off (DynamoDB refuses TTL changes meanwhile): no write, a note saying to deploy later', () => {
    const observed = {
      ...deployed(withRegistry),
      table: ourTable({ ttl: { status: 'DISABLING', attribute: 'expires' } }),
    }
    const plan = planDeploy(withRegistry, observed)
    assert.deepEqual(writes(plan.actions), [])
    assert.ok(
      plan.notes?.some((n) => /time to live being turned off.*up to an hour.*deploy again/.test(n)),
      String(plan.notes),
    )
  })

  test('a table a crashed run left CREATING: TTL (which waits for ACTIVE) first, and the function waits for it', () => {
    const observed = {
      ...deployed(withoutRegistry),
      table: ourTable({ status: 'CREATING', ttl: { status: 'DISABLED' } }),
    }
    const plan = planDeploy(withRegistry, observed)
    const actions = byId(plan.actions)
    assert.ok(!actions.has('table:create'))
    assert.deepEqual(actions.get('function:config')!.after, ['table:ttl'])
  })

  test('missing tags are added (TagResource), nothing else', () => {
    const observed = {
      ...deployed(withRegistry),
      table: ourTable({ tags: { ...withRegistry.tags, 'socket-action:version': '0.9' } }),
    }
    const plan = planDeploy(withRegistry, observed)
    assert.deepEqual(writes(plan.actions), ['TagTable'])
    assert.deepEqual(plan.actions[0]!.params, {
      ResourceArn: TABLE_ARN,
      Tags: Object.entries(withRegistry.tags).map(([Key, Value]) => ({ Key, Value })),
    })
  })

  test('a table with the name but not our tags stops the plan (never adopted, changed or deleted)', () => {
    const observed: ObservedState = {
      ...empty,
      foreign: [{ kind: 'table', name: TABLE, tags: { team: 'billing' } }],
    }
    assert.throws(
      () => planDeploy(withRegistry, observed),
      (e: unknown) =>
        e instanceof PlanError &&
        /table "chat-prod-connections" exists but is not tagged as socket-action app "chat"/.test(e.message) &&
        /never adopts, changes or deletes/.test(e.message),
    )
    // Without the registry, another's table of that name is none of this stage's business.
    assert.ok(planDeploy(withoutRegistry, observed).actions.length > 0)
  })

  test('a table of ours with other keys stops the plan and says what to do', () => {
    const observed = { ...deployed(withRegistry), table: ourTable({ keys: ['id:S:HASH'] }) }
    assert.throws(
      () => planDeploy(withRegistry, observed),
      (e: unknown) =>
        e instanceof PlanError &&
        e.message.includes('key schema id:S:HASH') &&
        e.message.includes(registryKeys({ hashKey: 'pk', rangeKey: 'sk' }).join(', ')) &&
        e.message.includes(`aws dynamodb delete-table --table-name ${TABLE}`) &&
        e.message.includes('remove "connections: registry"'),
    )
    const numberKeys = { ...deployed(withRegistry), table: ourTable({ keys: ['pk:N:HASH', 'sk:S:RANGE'] }) }
    assert.throws(() => planDeploy(withRegistry, numberKeys), PlanError)
  })

  test('TTL on another attribute stops the plan with the command that turns it off', () => {
    const observed = {
      ...deployed(withRegistry),
      table: ourTable({ ttl: { status: 'ENABLED', attribute: 'ttl' } }),
    }
    assert.throws(
      () => planDeploy(withRegistry, observed),
      (e: unknown) => e instanceof PlanError && e.message.includes('AttributeName=ttl'),
    )
  })
})

describe('planRemove with the registry', () => {
  test('deletes the table after the function', () => {
    const plan = planRemove(withRegistry, deployed(withRegistry))
    const del = byId(plan.actions).get('table:delete')!
    assert.deepEqual(del.after, ['function:delete'])
    const order = plan.actions.map((a) => a.id)
    assert.ok(order.indexOf('table:delete') > order.indexOf('function:delete'))
  })

  test('a DELETING table, or none, plans no DeleteTable', () => {
    const deleting = { ...deployed(withRegistry), table: ourTable({ status: 'DELETING' }) }
    assert.ok(!planRemove(withRegistry, deleting).actions.some((a) => a.write === 'DeleteTable'))
    assert.ok(!planRemove(withRegistry, deployed(withoutRegistry)).actions.some((a) => a.write === 'DeleteTable'))
  })
})
