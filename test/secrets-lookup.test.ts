// Observe's reads for serverless.yml's `secrets` against moto (src/aws/secrets-lookup.ts): found or not, the type,
// the customer managed key by its ARN (none for AWS managed keys), batches of 50 names, and no value ever read.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms'
import { CreateSecretCommand, DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm'
import { createClients, destroyClients, type AwsClients } from '../src/aws/clients.ts'
import { readSecrets } from '../src/aws/secrets-lookup.ts'
import { startAwsBed, type AwsBed } from './helpers/aws-bed.ts'

describe('secrets-lookup against moto', () => {
  let bed: AwsBed
  let clients: AwsClients
  const region = 'us-east-1'
  before(async () => {
    bed = await startAwsBed()
    clients = createClients({ region })
  })
  after(async () => {
    if (clients) destroyClients(clients)
    await bed?.stop()
  })

  test('types, keys (customer managed by ARN, AWS managed none), missing and deleted ones; metadata calls only', async () => {
    const ssm = new SSMClient({ region })
    const sm = new SecretsManagerClient({ region })
    const kms = new KMSClient({ region })
    try {
      const key = (await kms.send(new CreateKeyCommand({ Description: 'app key' }))).KeyMetadata!
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/my-socket', TargetKeyId: key.KeyId }))
      const put = (Name: string, Type: 'String' | 'SecureString', KeyId?: string) =>
        ssm.send(new PutParameterCommand({ Name, Type, Value: 'sv-never-read', ...(KeyId ? { KeyId } : {}) }))
      await put('/app/default', 'SecureString')
      await put('/app/custom', 'SecureString', 'alias/my-socket')
      await put('plain', 'String')
      const own = await sm.send(new CreateSecretCommand({ Name: 'app/db', SecretString: 'sv-never-read' }))
      const keyed = await sm.send(
        new CreateSecretCommand({ Name: 'app/keyed', SecretString: 'sv-never-read', KmsKeyId: key.KeyId }),
      )
      const gone = await sm.send(new CreateSecretCommand({ Name: 'app/gone', SecretString: 'sv-never-read' }))
      await sm.send(new DeleteSecretCommand({ SecretId: gone.ARN, RecoveryWindowInDays: 7 }))

      bed.shim.clearCalls()
      const found = await readSecrets(clients, [
        { service: 'ssm', id: '/app/default' },
        { service: 'ssm', id: '/app/custom' },
        { service: 'ssm', id: 'plain' },
        { service: 'ssm', id: `arn:aws:ssm:us-east-1:123456789012:parameter/app/default` },
        { service: 'ssm', id: '/app/missing' },
        { service: 'secretsmanager', id: 'app/db' },
        { service: 'secretsmanager', id: 'app/keyed' },
        { service: 'secretsmanager', id: 'app/gone' },
        { service: 'secretsmanager', id: 'app/missing' },
      ])
      assert.deepEqual(found, [
        { service: 'ssm', id: '/app/default', found: true, type: 'SecureString' },
        { service: 'ssm', id: '/app/custom', found: true, type: 'SecureString', customerKeyArn: key.Arn },
        { service: 'ssm', id: 'plain', found: true, type: 'String' },
        {
          service: 'ssm',
          id: 'arn:aws:ssm:us-east-1:123456789012:parameter/app/default',
          found: true,
          type: 'SecureString',
        },
        { service: 'ssm', id: '/app/missing', found: false },
        { service: 'secretsmanager', id: 'app/db', found: true, arn: own.ARN },
        { service: 'secretsmanager', id: 'app/keyed', found: true, arn: keyed.ARN, customerKeyArn: key.Arn },
        { service: 'secretsmanager', id: 'app/gone', found: true, arn: gone.ARN, deleted: true },
        { service: 'secretsmanager', id: 'app/missing', found: false },
      ])
      const operations = bed.shim.calls().map((c) => c.operation)
      assert.deepEqual([...new Set(operations)].sort(), ['DescribeKey', 'DescribeParameters', 'DescribeSecret'])
    } finally {
      ssm.destroy()
      sm.destroy()
      kms.destroy()
    }
  })

  test('more names than one DescribeParameters filter takes are read in batches of 50, every page followed', async () => {
    const ssm = new SSMClient({ region })
    try {
      const names = Array.from({ length: 57 }, (_, i) => `/many/p${i}`)
      for (const Name of names)
        await ssm.send(new PutParameterCommand({ Name, Type: 'SecureString', Value: 'sv-never-read', Overwrite: true }))
      bed.shim.clearCalls()
      const found = await readSecrets(
        clients,
        names.map((id) => ({ service: 'ssm' as const, id })),
      )
      assert.equal(found.filter((f) => f.found).length, 57)
      // two batches (50 and 7 names); moto answers 10 a page whatever MaxResults says, so NextToken is followed too
      const pages = bed.shim.calls().filter((c) => c.operation === 'DescribeParameters').length
      assert.ok(pages >= 2, `${pages} calls`)
    } finally {
      ssm.destroy()
    }
  })
})
