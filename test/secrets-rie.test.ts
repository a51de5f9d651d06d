// A function with secrets under AWS's own Lambda runtime (aws-lambda-rie running aws-lambda-ric, Node 24 and 22):
// its index.mjs holds the init with a top-level await until the CommonJS bundle has read the secrets from moto (SSM,
// Secrets Manager, through the shim), and socket.js's top-level code sees them; one that is missing fails the init,
// naming it and not the value. Checks what the stand-in (dev, the shim's Invoke) cannot: that Lambda's runtime loads
// the ES module loader, awaits it, and finds the SDK on its NODE_PATH from the bundle it requires.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm'
import { unzipSync } from 'fflate'
import { bundleSocket, LAMBDA_HANDLER } from '../src/bundle/build.ts'
import { startAwsBed, type AwsBed } from './helpers/aws-bed.ts'

const ROOT = path.resolve(import.meta.dirname, '..')
const RIE = path.join(ROOT, '.tools/bin/aws-lambda-rie')
const RIC = path.join(ROOT, '.tools/ric/node_modules/aws-lambda-ric/index.mjs')
const NODES = { 24: path.join(ROOT, '.tools/node24/bin/node'), 22: path.join(ROOT, '.tools/node22/bin/node') }
const CONNECT = JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures/events/aws/connect.json'), 'utf8'))
const VALUE = 'sv-rie-secret-5d2a'

const SOCKET_JS = `
const atLoad = process.env.RIE_KEY + '|' + process.env.RIE_DB
on('connect', async () => ({ statusCode: 200, body: require('node:crypto').createHash('sha256').update(atLoad).digest('hex') }))
`

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** RIE with the RIC as its bootstrap in `taskRoot`; one invocation of `event`; RIE's status and body, and its log. */
async function invokeOnce(
  node: keyof typeof NODES,
  taskRoot: string,
  env: Record<string, string>,
  event: unknown,
): Promise<{ status: number; body: string; log: string }> {
  const [port, runtimeApi] = [await freePort(), await freePort()]
  const child = spawn(
    RIE,
    [
      '--runtime-interface-emulator-address',
      `127.0.0.1:${port}`,
      '--runtime-api-address',
      `127.0.0.1:${runtimeApi}`,
      NODES[node],
      RIC,
      LAMBDA_HANDLER,
    ],
    {
      cwd: taskRoot,
      env: {
        PATH: process.env.PATH,
        ...env,
        LAMBDA_TASK_ROOT: taskRoot,
        _HANDLER: LAMBDA_HANDLER,
        AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${node}.x`,
        AWS_LAMBDA_FUNCTION_NAME: 'rie-secrets',
        AWS_LAMBDA_FUNCTION_TIMEOUT: '8',
        NODE_PATH: path.join(ROOT, 'node_modules'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let log = ''
  child.stdout!.on('data', (chunk) => (log += chunk))
  child.stderr!.on('data', (chunk) => (log += chunk))
  try {
    const url = `http://127.0.0.1:${port}/2015-03-31/functions/function/invocations`
    for (let i = 0; ; i++) {
      try {
        const res = await fetch(url, { method: 'POST', body: JSON.stringify(event) })
        return { status: res.status, body: await res.text(), log }
      } catch (error) {
        if (i > 200 || child.exitCode !== null) throw new Error(`RIE: ${(error as Error).message}\n${log}`)
        await sleep(25)
      }
    }
  } finally {
    child.kill('SIGKILL')
  }
}

describe('a function with secrets under aws-lambda-rie + aws-lambda-ric', () => {
  let bed: AwsBed
  let scratch = ''
  let taskRoot = ''
  let secretArn = ''
  const functionEnv = () => ({
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_SSM: bed.shim.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: bed.shim.endpoint,
  })
  before(async () => {
    for (const file of [RIE, RIC, ...Object.values(NODES)])
      assert.ok(existsSync(file), `${file} is missing: run \`bash .ci/install-tools\``)
    bed = await startAwsBed()
    const ssm = new SSMClient({ region: 'us-east-1' })
    const sm = new SecretsManagerClient({ region: 'us-east-1' })
    await ssm.send(new PutParameterCommand({ Name: '/rie/key', Type: 'SecureString', Value: VALUE }))
    secretArn = (await sm.send(new CreateSecretCommand({ Name: 'rie/db', SecretString: `db-${VALUE}` }))).ARN!
    ssm.destroy()
    sm.destroy()
    scratch = await mkdtemp(path.join(tmpdir(), 'socket-action-rie-secrets-'))
    await writeFile(path.join(scratch, 'socket.js'), SOCKET_JS)
    const { zip } = await bundleSocket(path.join(scratch, 'socket.js'), { codeDir: scratch, secrets: true })
    taskRoot = path.join(scratch, 'task')
    for (const [file, data] of Object.entries(unzipSync(new Uint8Array(zip)))) {
      await mkdir(path.dirname(path.join(taskRoot, file)), { recursive: true })
      await writeFile(path.join(taskRoot, file), data)
    }
  })
  after(async () => {
    await bed?.stop()
    if (scratch) await rm(scratch, { recursive: true, force: true })
  })

  for (const node of [24, 22] as const) {
    test(`Node ${node}: socket.js's top-level code sees the values; a missing one fails the init without a value`, async () => {
      const refs = { RIE_KEY: 'ssm:/rie/key', RIE_DB: `secretsmanager:${secretArn}` }
      const ok = await invokeOnce(
        node,
        taskRoot,
        { ...functionEnv(), SOCKET_ACTION_SECRETS: JSON.stringify(refs) },
        CONNECT,
      )
      assert.equal(ok.status, 200, ok.log)
      const { createHash } = await import('node:crypto')
      const expected = createHash('sha256').update(`${VALUE}|db-${VALUE}`).digest('hex')
      assert.deepEqual(JSON.parse(ok.body), { statusCode: 200, body: expected })
      assert.match(ok.log, /socket-action: 2 secrets read in \d+ ms \(1 SSM call, 1 Secrets Manager call\)/)

      const missing = { ...refs, RIE_GONE: 'ssm:/rie/gone' }
      const failed = await invokeOnce(
        node,
        taskRoot,
        { ...functionEnv(), SOCKET_ACTION_SECRETS: JSON.stringify(missing) },
        CONNECT,
      )
      const answer = `${failed.body}\n${failed.log}`
      assert.match(answer, /SocketActionSecretsError/, answer)
      assert.match(answer, /RIE_GONE \(ssm:\/rie\/gone\): the SSM parameter does not exist/, answer)
      assert.ok(!answer.includes(VALUE), answer)
    })
  }
})
