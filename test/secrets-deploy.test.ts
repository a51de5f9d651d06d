// serverless.yml `secrets` deployed from the built zip to moto through the CLI: the function's configuration holds only
// the references, the handler (socket.js's top-level code included) sees the values, nothing printed contains them,
// the role names exactly those ARNs, a missing one fails before any write, and one gone at cold start is an init error
// that names it without its value.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListVersionsByFunctionCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda'
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms'
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm'
import { GetRolePolicyCommand } from '@aws-sdk/client-iam'
import { connectEvent } from '../src/dev/events.ts'
import { scratchProject, startAwsBed, type AwsBed, type Project } from './helpers/aws-bed.ts'
import { sdk } from './helpers/aws-state.ts'
import { runNode } from './helpers/processes.ts'

const BIN = path.join(import.meta.dirname, '../src/cli/bin.js')
const cli = (args: string[], cwd: string) => runNode(BIN, args, { cwd }).done
const printed = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr

const STRIPE = 'sv-stripe-value-9f3b1c'
const DB_URL = 'postgres://app:sv-db-password-77aa@db.internal/app'
const connect = () =>
  connectEvent(
    { apiId: 'abcdef1234', domainName: 'abcdef1234.execute-api.us-east-1.amazonaws.com', stage: 'sec' },
    { connectionId: 'AAAAAAAAAAAAAAA=', connectedAt: Date.now(), sourceIp: '203.0.113.7' },
    { rawHeaders: [], url: '/sec' },
    443,
    'https',
  )
const SIGNING = 'sv-signing-key-0c4e'
const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16)

/** Reads the values at top level (as an app creating its clients would) and answers with their hash, never them. */
const SOCKET_JS = `
const seen = { stripe: process.env.STRIPE_KEY, db: process.env.DB_URL + process.env.SIGNING }
const { createHash } = require('node:crypto')
const h = (s) => createHash('sha256').update(String(s)).digest('hex').slice(0, 16)
on('check', async (data, socket) => {
  await socket.send('top-level ' + h(seen.stripe) + ' ' + h(seen.db) + ' now ' + h(process.env.STRIPE_KEY))
})
`

/** A new execution environment: a changed configuration gets new ones, as on Lambda. */
async function coldStart(memory: number) {
  const { lambda } = sdk()
  // one configuration update at a time, as on Lambda
  while (
    (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'my-socket-sec' }))).LastUpdateStatus ===
    'InProgress'
  );
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'my-socket-sec', MemorySize: memory }))
  return lambda.send(
    new InvokeCommand({ FunctionName: 'my-socket-sec', LogType: 'Tail', Payload: JSON.stringify(connect()) }),
  )
}

describe('secrets deployed from the built zip (CLI, moto, the shim running the function)', () => {
  let bed: AwsBed
  let project: Project
  let ssm: SSMClient
  let sm: SecretsManagerClient
  let secretArn: string
  let keyArn: string
  before(async () => {
    bed = await startAwsBed()
    project = await scratchProject()
    ssm = new SSMClient({ region: 'us-east-1' })
    sm = new SecretsManagerClient({ region: 'us-east-1' })
    await ssm.send(
      new PutParameterCommand({ Name: '/my-socket/sec/stripe', Type: 'SecureString', Value: STRIPE, Overwrite: true }),
    )
    secretArn = (await sm.send(new CreateSecretCommand({ Name: 'my-socket/sec/db', SecretString: DB_URL }))).ARN!
    // one parameter under a customer managed key, named by its alias: the role gets kms:Decrypt on the key's ARN
    const kms = new KMSClient({ region: 'us-east-1' })
    keyArn = (await kms.send(new CreateKeyCommand({ Description: 'my-socket signing' }))).KeyMetadata!.Arn!
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/my-socket-signing', TargetKeyId: keyArn }))
    kms.destroy()
    await ssm.send(
      new PutParameterCommand({
        Name: '/my-socket/sec/signing',
        Type: 'SecureString',
        KeyId: 'alias/my-socket-signing',
        Value: SIGNING,
      }),
    )
    await project.edit('socket.js', () => SOCKET_JS)
    await project.edit(
      'serverless.yml',
      (s) =>
        `${s}    secrets:\n      STRIPE_KEY: ssm:/my-socket/{stage}/stripe\n      DB_URL: secretsmanager:my-socket/{stage}/db\n` +
        `      SIGNING: ssm:/my-socket/{stage}/signing\n` +
        `    smoke:\n      message: '{"route":"check"}'\n      expect: "top-level ${hash(STRIPE)} ${hash(DB_URL + SIGNING)} now ${hash(STRIPE)}"\n`,
    )
  })
  after(async () => {
    ssm?.destroy()
    sm?.destroy()
    await project?.remove()
    await bed?.stop()
  })

  test('the handler sees the values, the configuration and the output never hold them, the role names exactly them', async () => {
    const planned = await cli(['plan', '--stage', 'sec'], project.dir)
    assert.equal(planned.code, 0, printed(planned))
    // the smoke test's expect passes only when socket.js's top-level code saw both values
    const deployed = await cli(['deploy', '--stage', 'sec'], project.dir)
    assert.equal(deployed.code, 0, printed(deployed))
    for (const r of [planned, deployed]) {
      assert.ok(!printed(r).includes(STRIPE), printed(r))
      assert.ok(!printed(r).includes('sv-db-password') && !printed(r).includes(SIGNING), printed(r))
    }

    // and a second deploy finds nothing to change (the references and the statements are stable)
    const again = await cli(['deploy', '--stage', 'sec'], project.dir)
    assert.equal(again.code, 0, printed(again))
    assert.match(again.stdout, /^Unchanged: nothing to do/m)

    const { lambda, iam } = sdk()
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'my-socket-sec' }))
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'my-socket-sec' }))
    for (const c of [config, ...(versions.Versions ?? [])]) {
      const text = JSON.stringify(c)
      assert.ok(!text.includes(STRIPE) && !text.includes('sv-db-password'), text)
    }
    assert.deepEqual(config.Environment?.Variables, {
      TABLE_NAME: 'my-table',
      SOCKET_ACTION_SECRETS: JSON.stringify({
        STRIPE_KEY: 'ssm:/my-socket/sec/stripe',
        DB_URL: `secretsmanager:${secretArn}`,
        SIGNING: 'ssm:/my-socket/sec/signing',
      }),
    })

    const { PolicyDocument } = await iam.send(
      new GetRolePolicyCommand({ RoleName: config.Role!.split('/').pop()!, PolicyName: 'socket-action' }),
    )
    const doc = JSON.parse(decodeURIComponent(PolicyDocument!))
    const own = doc.Statement.filter((s: { Sid?: string }) => s.Sid?.startsWith('OwnSecret'))
    assert.deepEqual(own, [
      {
        Sid: 'OwnSecretParameters',
        Effect: 'Allow',
        Action: 'ssm:GetParameters',
        Resource: [
          'arn:aws:ssm:us-east-1:123456789012:parameter/my-socket/sec/signing',
          'arn:aws:ssm:us-east-1:123456789012:parameter/my-socket/sec/stripe',
        ],
      },
      { Sid: 'OwnSecretValues', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: [secretArn] },
      { Sid: 'OwnSecretValuesBatch', Effect: 'Allow', Action: 'secretsmanager:BatchGetSecretValue', Resource: '*' },
      {
        Sid: 'OwnSecretParameterKeys',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: [keyArn],
        Condition: { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } },
      },
    ])
    // the function read them in one call per service, at cold start
    const reads = bed.shim.calls().filter((c) => c.caller === 'function' && /Parameter|SecretValue/.test(c.operation))
    assert.ok(reads.length >= 2, JSON.stringify(reads))
    assert.deepEqual([...new Set(reads.map((c) => c.operation))].sort(), ['BatchGetSecretValue', 'GetParameters'])
    // and socket-action itself never read a value at deploy
    const deployReads = bed.shim
      .calls()
      .filter((c) => c.caller === 'deploy')
      .map((c) => c.operation)
    assert.ok(!deployReads.some((op) => /^Get(Parameter|Parameters|SecretValue)$|BatchGetSecretValue/.test(op)))
    assert.ok(deployReads.includes('DescribeParameters') && deployReads.includes('DescribeSecret'))

    // a cold start of $LATEST logs what reading them cost: one call per service
    const cold = await lambda.send(
      new InvokeCommand({ FunctionName: 'my-socket-sec', LogType: 'Tail', Payload: JSON.stringify(connect()) }),
    )
    assert.equal(cold.FunctionError, undefined, Buffer.from(cold.Payload!).toString())
    const log = Buffer.from(cold.LogResult ?? '', 'base64').toString()
    const cost = /socket-action: 3 secrets read in (\d+) ms \(1 SSM call, 1 Secrets Manager call\)/.exec(log)
    assert.ok(cost, log)
    console.log(`# cold start against moto through the shim: 3 secrets read in ${cost[1]} ms`)
    assert.ok(!log.includes(STRIPE) && !log.includes('sv-db-password') && !log.includes(SIGNING), log)
  })

  test('a parameter that does not exist fails the deploy before any write, naming it, its line and the fix', async () => {
    await project.edit('serverless.yml', (s) =>
      s.replace('    smoke:', '      MISSING: ssm:/my-socket/{stage}/missing\n    smoke:'),
    )
    try {
      bed.shim.clearCalls()
      const result = await cli(['deploy', '--stage', 'sec'], project.dir)
      assert.notEqual(result.code, 0)
      assert.match(result.stderr, /serverless\.yml:\d+: secrets "MISSING" \(ssm:\/my-socket\/sec\/missing\)/)
      assert.match(
        result.stderr,
        /does not exist in us-east-1 - create it: aws ssm put-parameter --region us-east-1 --type SecureString --name "\/my-socket\/sec\/missing"/,
      )
      assert.deepEqual(bed.shim.writes(), [])
    } finally {
      await project.edit('serverless.yml', (s) => s.replace('      MISSING: ssm:/my-socket/{stage}/missing\n', ''))
    }
  })

  test("an access denied at cold start (IAM still applying the role's new policy) is read again, then reported", async () => {
    const denied = { operation: 'GetParameters', status: 400, errorType: 'AccessDeniedException', message: 'not yet' }
    bed.shim.fault({ ...denied, times: 1 })
    const recovered = await coldStart(192)
    assert.equal(recovered.FunctionError, undefined, Buffer.from(recovered.Payload!).toString())
    assert.match(Buffer.from(recovered.LogResult ?? '', 'base64').toString(), /read again after an access denied/)

    bed.shim.fault({ ...denied, times: Number.POSITIVE_INFINITY })
    try {
      const refused = await coldStart(320)
      assert.equal(refused.FunctionError, 'Unhandled')
      const payload = Buffer.from(refused.Payload!).toString()
      assert.match(
        payload,
        /STRIPE_KEY \(ssm:\/my-socket\/sec\/stripe\): SSM GetParameters failed: AccessDeniedException/,
      )
      assert.ok(!payload.includes(STRIPE) && !payload.includes('sv-db-password'), payload)
    } finally {
      bed.shim.clearFaults()
    }
  })

  test('a parameter gone at cold start is an init error naming it, never a value', async () => {
    await ssm.send(new DeleteParameterCommand({ Name: '/my-socket/sec/stripe' }))
    try {
      const out = await coldStart(384)
      assert.equal(out.FunctionError, 'Unhandled')
      const payload = Buffer.from(out.Payload!).toString()
      const log = Buffer.from(out.LogResult ?? '', 'base64').toString()
      assert.match(payload, /SocketActionSecretsError/)
      assert.match(payload, /STRIPE_KEY \(ssm:\/my-socket\/sec\/stripe\): the SSM parameter does not exist/)
      for (const text of [payload, log]) {
        assert.ok(!text.includes(STRIPE), text)
        // the secret that could be read is not shown either
        assert.ok(!text.includes('sv-db-password'), text)
      }
    } finally {
      await ssm.send(
        new PutParameterCommand({
          Name: '/my-socket/sec/stripe',
          Type: 'SecureString',
          Value: STRIPE,
          Overwrite: true,
        }),
      )
    }
  })
})
