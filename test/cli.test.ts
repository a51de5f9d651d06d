// The `socket-action` command as a user runs it: a child process, its output and its exit code.
import assert from 'node:assert/strict'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, test } from 'node:test'
import { ask, connect } from './helpers/clients.ts'
import { runNode } from './helpers/processes.ts'

const ROOT = path.join(import.meta.dirname, '..')
const BIN = path.join(ROOT, 'src/cli/bin.js')

const run = (args: string[]) => runNode(BIN, args, { cwd: ROOT })

describe('socket-action CLI', () => {
  test('--help lists dev and exits 0', async () => {
    const { code, stdout } = await run(['--help']).done
    assert.equal(code, 0)
    assert.match(stdout, /socket-action dev \[dir\]/)
  })

  test('an unknown command exits 2 and says so', async () => {
    const { code, stderr } = await run(['deploi']).done
    assert.equal(code, 2)
    assert.match(stderr, /unknown command "deploi"/)
  })

  test('a bad serverless.yml exits 1 with file, line and fix', async () => {
    const { code, stderr } = await run(['dev', 'test/fixtures/config/bad/seed-regoin']).done
    assert.equal(code, 1)
    assert.equal(stderr.trim(), 'test/fixtures/config/bad/seed-regoin/serverless.yml:11:5: error: unknown input "regoin" - did you mean "region"?')
  })

  test('a port in use is an error that says what to do', async () => {
    const { createServer } = await import('node:net')
    const holder = createServer().listen(0, '127.0.0.1')
    await new Promise((r) => holder.once('listening', r))
    const port = (holder.address() as { port: number }).port
    try {
      const { code, stderr } = await run(['dev', 'examples/echo', '--port', String(port)]).done
      assert.equal(code, 1)
      assert.equal(stderr.trim(), `error: port ${port} on 127.0.0.1 is in use: stop what holds it, or pass --port 0 for a free port`)
    } finally {
      holder.close()
    }
  })

  test('dev serves a folder with only a socket.js (zero configuration)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'zero-config-cli-'))
    await cp(path.join(ROOT, 'examples/echo/socket.js'), path.join(dir, 'socket.js'))
    const child = run(['dev', dir, '--port', '0'])
    try {
      let url: string | undefined
      for (let i = 0; i < 200 && !url; i++) {
        url = /WebSocket:\s+(ws:\/\/\S+)/.exec(child.stdout())?.[1]
        if (!url) await new Promise((r) => setTimeout(r, 25))
      }
      assert.match(url ?? '', /\/dev$/, `stage dev by default: ${child.stdout()}`)
      const client = await connect(url!)
      assert.deepEqual(await ask(client, 'message', { zero: 'config' }), { zero: 'config' })
      client.ws.close()
    } finally {
      child.kill('SIGINT')
      await child.done
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('dev serves examples/echo until SIGINT', async () => {
    const child = run(['dev', 'examples/echo', '--port', '0'])
    let url: string | undefined
    for (let i = 0; i < 200 && !url; i++) {
      url = /WebSocket:\s+(ws:\/\/\S+)/.exec(child.stdout())?.[1]
      if (!url) await new Promise((r) => setTimeout(r, 25))
    }
    assert.ok(url, `no URL printed: ${child.stdout()}`)
    const client = await connect(url)
    assert.deepEqual(await ask(client, 'message', { hello: 'cli' }), { hello: 'cli' })
    client.ws.close()
    await client.closed
    child.kill('SIGINT')
    const { code, stdout } = await child.done
    assert.equal(code, 0)
    assert.match(stdout, /\$connect\s+\S+\s+200/)
    assert.match(stdout, /\$default\s+\S+\s+200/)
  })
})
