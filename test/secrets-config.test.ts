// serverless.yml `secrets`: what loads (the bad cases are in test/fixtures/config/bad/secrets-*).
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { loadConfig } from '../src/config/index.ts'

async function project(yml: string): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'secrets-config-'))
  await writeFile(path.join(dir, 'socket.js'), "on('message', async (d, s) => s.send(d))\n")
  await writeFile(path.join(dir, 'serverless.yml'), yml)
  return { dir, file: path.join(dir, 'serverless.yml') }
}

const YML = `stage: prod
Socket:
  component: "@serverless/socket"
  inputs:
    env:
      PLAIN: visible
    secrets:
      STRIPE_KEY: ssm:/my-socket/{stage}/stripe
      DB_URL: secretsmanager:my-socket/{stage}/db
      SHARED: ssm:arn:aws:ssm:us-east-1:123456789012:parameter/shared/key
      FULL: secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf
      FROM_ENV: ssm:/\${env.PREFIX}/token
`

test('secrets load as references with {stage} and ${env.X} filled in, each with its line; env is left alone', async () => {
  const { dir, file } = await project(YML)
  try {
    const [socket] = (await loadConfig(file, { env: { PREFIX: 'team' } })).sockets
    assert.deepEqual(socket!.env, { PLAIN: 'visible' })
    assert.deepEqual(socket!.secrets, [
      {
        name: 'STRIPE_KEY',
        service: 'ssm',
        pattern: '/my-socket/{stage}/stripe',
        id: '/my-socket/prod/stripe',
        line: 8,
      },
      { name: 'DB_URL', service: 'secretsmanager', pattern: 'my-socket/{stage}/db', id: 'my-socket/prod/db', line: 9 },
      {
        name: 'SHARED',
        service: 'ssm',
        pattern: 'arn:aws:ssm:us-east-1:123456789012:parameter/shared/key',
        id: 'arn:aws:ssm:us-east-1:123456789012:parameter/shared/key',
        line: 10,
      },
      {
        name: 'FULL',
        service: 'secretsmanager',
        pattern: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf',
        id: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf',
        line: 11,
      },
      { name: 'FROM_ENV', service: 'ssm', pattern: '/team/token', id: '/team/token', line: 12 },
    ])
    // the stage given as an option wins over the file's
    const [qa] = (await loadConfig(file, { env: { PREFIX: 'team' }, stage: 'qa' })).sockets
    assert.equal(qa!.secrets![0]!.id, '/my-socket/qa/stripe')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('no secrets, or an empty secrets:, gives a socket without secrets', async () => {
  for (const extra of ['', '    secrets:\n', '    secrets: {}\n']) {
    const { dir, file } = await project(
      `Socket:\n  component: "@serverless/socket"\n  inputs:\n    memory: 256\n${extra}`,
    )
    try {
      const [socket] = (await loadConfig(file, { env: {} })).sockets
      assert.ok(!('secrets' in socket!), `secrets in ${JSON.stringify(extra)}`)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
})
