// Limits AWS would only check on a write are checked before the first one, with the file and line to fix.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { desiredState } from '../src/engine/desired.ts'
import { checkLimits, rolePolicyChars, ROLE_POLICY_MAX_CHARS, ZIP_MAX_BYTES } from '../src/engine/limits.ts'
import { AWS_PARTITION } from '../src/engine/names.ts'
import type { SocketConfig } from '../src/config/index.ts'
import { ConfigError } from '../src/config/index.ts'
import { deployStage, planStage } from '../src/pipeline.ts'
import { FAST, scratchProject, startAwsBed, type AwsBed, type Project } from './helpers/aws-bed.ts'
import { socketConfig } from './helpers/socket-config.ts'

const socket: SocketConfig = socketConfig()
const identity = { app: 'chat', stage: 'prod', repo: 'octo/sockets', region: 'us-east-1' }
const desiredWith = (s: SocketConfig) =>
  desiredState({
    socket: s,
    identity,
    region: 'us-east-1',
    account: '111111111111',
    partition: AWS_PARTITION,
    codeSha256: 'x',
    handler: 'index.handler',
    version: '1',
  })
const small = { zipBytes: 1000, unzippedBytes: 4000 }

/** `n` statements of about 190 characters each. */
const statements = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    Effect: 'Allow' as const,
    Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
    Resource: `arn:aws:dynamodb:us-east-1:111111111111:table/table-number-${i}-with-a-long-name`,
  }))

describe('checkLimits', () => {
  test('the default stage is far inside every limit', () => {
    assert.deepEqual(checkLimits(desiredWith(socket), small, socket), [])
    assert.ok(rolePolicyChars(desiredWith(socket)) < 1000)
  })

  test('a role policy over IAM 10,240 characters is named at its policy: line', () => {
    const big = { ...socket, policy: statements(80), policyAt: { line: 12, column: 5 } }
    const chars = rolePolicyChars(desiredWith(big))
    assert.ok(chars > ROLE_POLICY_MAX_CHARS)
    const [problem, ...rest] = checkLimits(desiredWith(big), small, big)
    assert.deepEqual(rest, [])
    assert.equal(problem!.file, '/p/serverless.yml')
    assert.equal(problem!.line, 12)
    assert.equal(problem!.column, 5)
    assert.match(
      problem!.message,
      new RegExp(`would be ${chars.toLocaleString('en')} characters, over IAM's 10,240 .* shorten "policy"`),
    )
  })

  test('just under the limit passes, counting the API id the policy will name', () => {
    let n = 1
    while (rolePolicyChars(desiredWith({ ...socket, policy: statements(n + 1) })) <= ROLE_POLICY_MAX_CHARS) n++
    assert.deepEqual(checkLimits(desiredWith({ ...socket, policy: statements(n) }), small, socket), [])
    assert.equal(checkLimits(desiredWith({ ...socket, policy: statements(n + 1) }), small, socket).length, 1)
  })

  test('a package over 50 MB zipped or 250 MB unzipped is named at the handler', () => {
    const problems = checkLimits(
      desiredWith(socket),
      { zipBytes: ZIP_MAX_BYTES + 1, unzippedBytes: 251 * 1024 * 1024 },
      socket,
    )
    assert.deepEqual(
      problems.map((p) => `${p.file}:${p.line}`),
      ['/p/socket.js:1', '/p/socket.js:1'],
    )
    assert.match(problems[0]!.message, /is 50\.0 MB zipped, over Lambda's 50 MB for a direct upload/)
    assert.match(problems[1]!.message, /is 251\.0 MB, over Lambda's 250 MB unzipped/)
    assert.deepEqual(
      checkLimits(desiredWith(socket), { zipBytes: ZIP_MAX_BYTES, unzippedBytes: 250 * 1024 * 1024 }, socket),
      [],
    )
  })
})

describe('limits against moto: nothing is written', () => {
  let bed: AwsBed
  let project: Project
  before(async () => {
    bed = await startAwsBed()
    project = await scratchProject()
  })
  after(async () => {
    await project.remove()
    await bed.stop()
  })

  test('deploy and plan of a 27,000-character role policy fail at serverless.yml:line, with no AWS write', async () => {
    const policy = statements(140)
      .map((s) => `      - Effect: Allow\n        Action: [${s.Action.join(', ')}]\n        Resource: ${s.Resource}\n`)
      .join('')
    await project.edit('serverless.yml', (text) => `${text.trimEnd()}\n    policy:\n${policy}`)
    const line =
      (await import('node:fs'))
        .readFileSync(project.config, 'utf8')
        .split('\n')
        .findIndex((l) => l.trim() === 'policy:') + 1
    bed.shim.clearCalls()
    const options = { configFile: project.config, stage: 'big', ...FAST }
    for (const run of [() => deployStage(options), () => planStage(options)]) {
      await assert.rejects(run(), (error: unknown) => {
        assert.ok(error instanceof ConfigError)
        assert.equal(error.diagnostics.length, 1)
        assert.equal(error.diagnostics[0]!.line, line)
        assert.match(error.diagnostics[0]!.message, /over IAM's 10,240/)
        return true
      })
    }
    assert.deepEqual(bed.shim.writes(), [])
  })
})
