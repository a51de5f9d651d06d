// runtime/secrets.ts against moto: ceil(n/10) GetParameters and ceil(n/20) BatchGetSecretValue calls, every value
// set, and what cannot be read (binary, missing) named without any value.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm'
import { resolveSecrets } from '../runtime/secrets.ts'
import { startAwsBed, type AwsBed } from './helpers/aws-bed.ts'

describe('runtime/secrets.ts against moto', () => {
  let bed: AwsBed
  const refs: Record<string, string> = {}
  const expected: Record<string, string> = {}
  before(async () => {
    bed = await startAwsBed()
    const ssm = new SSMClient({ region: 'us-east-1' })
    const sm = new SecretsManagerClient({ region: 'us-east-1' })
    try {
      for (let i = 0; i < 23; i++) {
        const value = `sv-param-${i}`
        await ssm.send(new PutParameterCommand({ Name: `/rt/p${i}`, Type: 'SecureString', Value: value }))
        refs[`P${i}`] = `ssm:/rt/p${i}`
        expected[`P${i}`] = value
      }
      for (let i = 0; i < 21; i++) {
        const value = `sv-secret-${i}`
        const { ARN } = await sm.send(new CreateSecretCommand({ Name: `rt/s${i}`, SecretString: value }))
        refs[`S${i}`] = `secretsmanager:${ARN}`
        expected[`S${i}`] = value
      }
      const binary = await sm.send(
        new CreateSecretCommand({ Name: 'rt/binary', SecretBinary: new TextEncoder().encode('sv-binary-value') }),
      )
      refs.BINARY = `secretsmanager:${binary.ARN}`
    } finally {
      ssm.destroy()
      sm.destroy()
    }
  })
  after(() => bed?.stop())

  test('44 secrets: 3 GetParameters and 2 BatchGetSecretValue calls, every value set', async () => {
    const { BINARY: _binary, ...readable } = refs
    const env: NodeJS.ProcessEnv = { SOCKET_ACTION_SECRETS: JSON.stringify(readable) }
    bed.shim.clearCalls()
    const resolved = await resolveSecrets(env)
    assert.deepEqual(resolved?.calls, { ssm: 3, secretsManager: 2 })
    assert.equal(resolved?.count, 44)
    for (const [name, value] of Object.entries(expected)) assert.equal(env[name], value, name)
    const ops = bed.shim.calls().map((c) => c.operation)
    assert.equal(ops.filter((o) => o === 'GetParameters').length, 3)
    assert.equal(ops.filter((o) => o === 'BatchGetSecretValue').length, 2)
  })

  test('a binary secret and a missing parameter fail the whole read, named, no value set or shown', async () => {
    const env: NodeJS.ProcessEnv = {
      SOCKET_ACTION_SECRETS: JSON.stringify({ P0: refs.P0, BINARY: refs.BINARY, GONE: 'ssm:/rt/gone' }),
    }
    await assert.rejects(resolveSecrets(env), (e: Error) => {
      assert.equal(e.name, 'SocketActionSecretsError')
      assert.match(e.message, /BINARY \(secretsmanager:arn:[^)]+\): the secret holds binary data/)
      assert.match(e.message, /GONE \(ssm:\/rt\/gone\): the SSM parameter does not exist/)
      assert.ok(!/sv-param-0|sv-binary-value/.test(e.message), e.message)
      return true
    })
    assert.equal(env.P0, undefined, 'all or nothing')
  })
})
