// serverless.yml `secrets` in the desired state (pure): the one variable of references, the role's statements naming
// exactly the parameters, secrets and customer managed keys observe found, and a PlanError for what it did not find.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SecretRef } from '../src/config/secret-ref.ts'
import { desiredState } from '../src/engine/desired.ts'
import type { ObservedSecret, ObservedState } from '../src/engine/model.ts'
import { AWS_PARTITION } from '../src/engine/names.ts'
import { planDeploy } from '../src/engine/plan.ts'
import { PlanError } from '../src/engine/plan-error.ts'
import { socketConfig } from './helpers/socket-config.ts'

const identity = { app: 'chat', stage: 'prod', repo: 'octo/sockets', region: 'us-east-1' }
const ACCOUNT = '111111111111'
const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:chat/db-AbCdEf`
const CMK = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`
const refs: SecretRef[] = [
  { name: 'STRIPE_KEY', service: 'ssm', pattern: '/chat/{stage}/stripe', id: '/chat/prod/stripe', line: 7 },
  { name: 'FLAT', service: 'ssm', pattern: 'flat', id: 'flat', line: 8 },
  { name: 'DB_URL', service: 'secretsmanager', pattern: 'chat/db', id: 'chat/db', line: 9 },
]
const found: ObservedSecret[] = [
  { service: 'ssm', id: '/chat/prod/stripe', found: true, type: 'SecureString', customerKeyArn: CMK },
  { service: 'ssm', id: 'flat', found: true, type: 'String' },
  { service: 'secretsmanager', id: 'chat/db', found: true, arn: SECRET_ARN },
]

const desiredWith = (secrets: ObservedSecret[] | undefined, socketRefs = refs) =>
  desiredState({
    socket: socketConfig({ env: { PLAIN: 'x' }, secrets: socketRefs }),
    identity,
    region: 'us-east-1',
    account: ACCOUNT,
    partition: AWS_PARTITION,
    codeSha256: 'sha',
    handler: 'index.handler',
    version: '1.0.0',
    ...(secrets ? { secrets } : {}),
  })

test("the function's env holds one variable of references: parameter names and the secret's full ARN", () => {
  const { env } = desiredWith(found).fn
  assert.deepEqual(Object.keys(env).sort(), ['PLAIN', 'SOCKET_ACTION_SECRETS'])
  assert.deepEqual(JSON.parse(env.SOCKET_ACTION_SECRETS!), {
    STRIPE_KEY: 'ssm:/chat/prod/stripe',
    FLAT: 'ssm:flat',
    DB_URL: `secretsmanager:${SECRET_ARN}`,
  })
})

test('the role gets statements naming exactly those parameters, secrets and customer keys', () => {
  const statements = desiredWith(found).role.policy.Statement.filter((s) => String(s.Sid).startsWith('OwnSecret'))
  assert.deepEqual(statements, [
    {
      Sid: 'OwnSecretParameters',
      Effect: 'Allow',
      Action: 'ssm:GetParameters',
      Resource: [
        `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/chat/prod/stripe`,
        `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/flat`,
      ],
    },
    { Sid: 'OwnSecretValues', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: [SECRET_ARN] },
    { Sid: 'OwnSecretValuesBatch', Effect: 'Allow', Action: 'secretsmanager:BatchGetSecretValue', Resource: '*' },
    {
      Sid: 'OwnSecretParameterKeys',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: [CMK],
      Condition: { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } },
    },
  ])
})

test('no secrets: no variable, no statements; a String parameter is noted in the plan', () => {
  const none = desiredWith(undefined, [])
  assert.ok(!('SOCKET_ACTION_SECRETS' in none.fn.env))
  assert.ok(!none.role.policy.Statement.some((s) => String(s.Sid).startsWith('OwnSecret')))
  const empty: ObservedState = { account: ACCOUNT, partition: AWS_PARTITION, apis: [], foreign: [] }
  const notes = planDeploy(desiredWith(found), empty).notes ?? []
  assert.ok(
    notes.some((n) => n.includes('flat') && n.includes('not a SecureString')),
    notes.join('\n'),
  )
  assert.ok(!notes.some((n) => n.includes('/chat/prod/stripe')))
})

test('a missing parameter or secret is a PlanError with its line and how to create it', () => {
  const missing = found.map((o) => (o.id === 'flat' || o.id === 'chat/db' ? { ...o, found: false } : o))
  assert.throws(
    () => desiredWith(missing),
    (e: Error) =>
      e instanceof PlanError &&
      e.message.includes('2 secrets') &&
      e.message.includes('serverless.yml:8: secrets "FLAT" (ssm:flat)') &&
      e.message.includes('aws ssm put-parameter --region us-east-1 --type SecureString --name "flat"') &&
      e.message.includes('serverless.yml:9: secrets "DB_URL" (secretsmanager:chat/db)') &&
      e.message.includes('aws secretsmanager create-secret --region us-east-1 --name "chat/db"'),
  )
  // not looked up at all is refused too, never granted blindly
  assert.throws(() => desiredWith(undefined), PlanError)
})

test('ARNs of another region or account are refused; one of the stage is used by name', () => {
  const other: SecretRef = {
    name: 'OTHER',
    service: 'ssm',
    pattern: 'x',
    id: 'arn:aws:ssm:eu-west-1:111111111111:parameter/x',
    line: 3,
  }
  assert.throws(() => desiredWith([], [other]), /is in region eu-west-1, but the stage deploys to us-east-1/)
  const foreign = { ...other, id: 'arn:aws:ssm:us-east-1:222222222222:parameter/x' }
  assert.throws(() => desiredWith([], [foreign]), /is in account 222222222222/)
  const own = { ...other, id: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/team/x` }
  const desired = desiredWith([{ service: 'ssm', id: own.id, found: true, type: 'SecureString' }], [own])
  assert.deepEqual(JSON.parse(desired.fn.env.SOCKET_ACTION_SECRETS!), { OTHER: 'ssm:/team/x' })
})
