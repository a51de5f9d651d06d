// Verifying the deployed URL as a client: against the local gateway serving a real bundle, and against nothing.
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type DevServer, startDev } from '../src/dev/serve.ts'
import { VerifyError, verifyEndpoint } from '../src/verify.ts'

const SOCKET_JS = `
on('connect', async (data) => {
  if (data.query.deny) return 403
  // the guarded stage: both credentials, exactly
  if (data.query.guarded) return data.headers.Authorization === 'Bearer sv-verify-token' && data.query.token === 'sv-verify query+token' ? 200 : 401
  return 200
})
on('ping', async (data, socket) => { await socket.send({ pong: true }) })
on('default', async (data, socket) => { await socket.send('something else') })
`

describe('verifyEndpoint', () => {
  let dir: string
  let server: DevServer
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'socket-action-verify-'))
    await writeFile(path.join(dir, 'socket.js'), SOCKET_JS)
    server = await startDev({
      configFile: path.join(dir, 'serverless.yml'),
      configOptional: true,
      port: 0,
      log: () => {},
    })
  })
  after(async () => {
    await server?.close()
    await rm(dir, { recursive: true, force: true })
  })

  test('completes $connect, and with a smoke message waits for the reply that contains expect', async () => {
    assert.deepEqual(await verifyEndpoint({ url: server.url }), { attempts: 1 })
    const verified = await verifyEndpoint({ url: server.url, smoke: { message: '{"route":"ping"}', expect: 'pong' } })
    assert.equal(verified.attempts, 1)
    assert.match(verified.reply ?? '', /"pong":true/)
  })

  test('a reply without expect fails after the attempt timeout, and says what came back', async () => {
    await assert.rejects(
      verifyEndpoint({
        url: server.url,
        smoke: { message: 'hello', expect: 'pong' },
        attemptTimeoutMs: 500,
        deadlineMs: 0,
      }),
      (e: Error) =>
        e instanceof VerifyError && /no reply containing "pong" within 0.5 s \(got: "something else"\)/.test(e.message),
    )
  })

  test('a $connect the handler refuses: verified without a smoke message (it ran and decided), else a failure at once', async () => {
    assert.deepEqual(await verifyEndpoint({ url: `${server.url}?deny=1` }), { attempts: 1 })
    const slept: number[] = []
    await assert.rejects(
      verifyEndpoint({
        url: `${server.url}?deny=1`,
        smoke: { message: '{"route":"ping"}', expect: 'pong' },
        sleep: async (ms) => void slept.push(ms),
      }),
      (e: Error) => e instanceof VerifyError && /handshake was answered 403/.test(e.message),
    )
    assert.deepEqual(slept, [], 'not retried')
  })

  test('smoke.headers and smoke.query go with the handshake: the handler that checks them accepts it, and refuses it without them', async () => {
    const guarded = `${server.url}?guarded=1`
    const credentials = {
      headers: { Authorization: 'Bearer sv-verify-token' },
      query: { token: 'sv-verify query+token' },
    }
    const verified = await verifyEndpoint({
      url: guarded,
      smoke: { message: '{"route":"ping"}', expect: 'pong', ...credentials },
    })
    assert.equal(verified.attempts, 1)
    assert.match(verified.reply ?? '', /"pong":true/)
    await assert.rejects(
      verifyEndpoint({ url: guarded, smoke: { message: '{"route":"ping"}', expect: 'pong' } }),
      (e: Error) => e instanceof VerifyError && /handshake was answered 401 Unauthorized$/.test(e.message),
    )
    await assert.rejects(
      verifyEndpoint({
        url: guarded,
        smoke: { message: '{"route":"ping"}', expect: 'pong', headers: credentials.headers, query: { token: 'wrong' } },
      }),
      (e: Error) =>
        e instanceof VerifyError &&
        e.message ===
          `${guarded} does not work: the $connect handshake was answered 401 Unauthorized (with smoke.headers and smoke.query; their values are not shown)`,
    )
  })

  test('a URL that does not answer is retried with backoff until the deadline, then named', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as { port: number }
    await new Promise((resolve) => closed.close(resolve))
    const slept: number[] = []
    const lines: string[] = []
    await assert.rejects(
      verifyEndpoint({
        url: `ws://127.0.0.1:${port}/dev`,
        deadlineMs: 10_000,
        sleep: async (ms) => void slept.push(ms),
        log: (l) => lines.push(l),
      }),
      (e: Error) => e instanceof VerifyError && e.message.startsWith(`ws://127.0.0.1:${port}/dev does not work:`),
    )
    assert.deepEqual(slept, [1000, 2000, 4000, 3000])
    assert.equal(lines.length, 4)
  })
})
