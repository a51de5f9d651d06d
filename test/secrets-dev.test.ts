// `socket-action dev` and serverless.yml's `secrets`: values from the shell or .env beside serverless.yml, never AWS.
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { test } from 'node:test'
import { parseDotenv } from '../src/dev/dotenv.ts'
import { startDev } from '../src/dev/serve.ts'
import { scratchProject } from './helpers/aws-bed.ts'
import { ask, connect } from './helpers/clients.ts'

test('.env: KEY=value, export, comments, single and double quotes (escapes, several lines); a bad line is an error', () => {
  const parsed = parseDotenv(
    [
      '# a comment',
      '',
      'PLAIN=some value  # trailing comment',
      'export EXPORTED=yes',
      "SINGLE='kept \\n as # is'",
      'DOUBLE="line one\\nline \\"two\\""',
      'MULTI="first',
      'second"',
      'EMPTY=',
      'HASH=a#b',
    ].join('\n'),
  )
  assert.deepEqual(parsed, {
    PLAIN: 'some value',
    EXPORTED: 'yes',
    SINGLE: 'kept \\n as # is',
    DOUBLE: 'line one\nline "two"',
    MULTI: 'first\nsecond',
    EMPTY: '',
    HASH: 'a#b',
  })
  assert.throws(() => parseDotenv('OK=1\nnot a line\n', '/p/.env'), /\/p\/\.env:2: not a KEY=value line/)
  assert.throws(() => parseDotenv('A="open\n', '/p/.env'), /\/p\/\.env:1: A's value has no closing '"'/)
})

test('dev gives the handler the values from .env and the shell (the shell wins), and refuses to start without one', async () => {
  const project = await scratchProject()
  try {
    await project.edit(
      'socket.js',
      () => "on('check', async (d, s) => { await s.send(process.env.DEV_KEY + ' ' + process.env.DEV_DB) })\n",
    )
    await project.edit(
      'serverless.yml',
      (s) => `${s}    secrets:\n      DEV_KEY: ssm:/my-socket/{stage}/key\n      DEV_DB: secretsmanager:my-socket/db\n`,
    )
    await writeFile(path.join(project.dir, '.env'), 'DEV_KEY=from-dotenv\nDEV_DB="from dotenv too"\n')
    const server = await startDev({
      configFile: project.config,
      port: 0,
      log: () => {},
      env: { DEV_KEY: 'from-shell' },
    })
    try {
      const client = await connect(server.url)
      assert.equal(await ask(client, 'check'), 'from-shell from dotenv too')
      client.ws.close()
    } finally {
      await server.close()
    }

    await writeFile(path.join(project.dir, '.env'), 'DEV_KEY=only-this\n')
    await assert.rejects(
      startDev({ configFile: project.config, port: 0, log: () => {}, env: {} }),
      (e: Error) =>
        e.message.includes(`secrets "DEV_DB" has no local value: socket-action dev never reads AWS`) &&
        e.message.includes(`add DEV_DB=... to ${path.join(project.dir, '.env')}`),
    )
  } finally {
    await project.remove()
  }
})
