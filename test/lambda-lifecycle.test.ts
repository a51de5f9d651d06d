// The Lambda lifecycle of `socket-action dev`, seen from real `ws` clients: one event per environment at a time, more
// environments when busy, frozen between events, init limit, process.exit and out-of-memory replaced by fresh ones.
import assert from 'node:assert/strict'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { startDev, type DevServer } from '../src/dev/serve.ts'
import { ask, connect } from './helpers/clients.ts'

const FIXTURES = path.join(import.meta.dirname, 'fixtures')

interface Started {
  server: DevServer
  lines: string[]
  output: string[]
}

async function start(folder: string, extra: Partial<Parameters<typeof startDev>[0]> = {}): Promise<Started> {
  const lines: string[] = []
  const output: string[] = []
  const server = await startDev({
    configFile: path.join(FIXTURES, folder, 'serverless.yml'),
    configOptional: true,
    port: 0,
    log: (line) => lines.push(line),
    output: (_stream, text) => output.push(text),
    ...extra,
  })
  return { server, lines, output }
}

async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > until) throw new Error(`never happened: ${what}`)
    await sleep(25)
  }
}

/** Two clients each ask for a `ms` sleep at once; resolves to both answers (each names its environment). */
async function twoSleeps(dev: Started, ms: number): Promise<[any, any]> {
  const [a, b] = await Promise.all([connect(dev.server.url), connect(dev.server.url)])
  a.send({ route: 'sleep', data: { ms } })
  b.send({ route: 'sleep', data: { ms } })
  const answers = await Promise.all([a.next(), b.next()])
  a.ws.close()
  b.ws.close()
  return answers
}

test('a busy environment gets company: two slow events run at once, in two environments', async () => {
  const dev = await start('lifecycle', { limits: { integrationTimeoutMs: 10_000 } })
  try {
    const [fromA, fromB] = await twoSleeps(dev, 1500)
    assert.equal(fromA.slept, 1500)
    assert.equal(fromB.slept, 1500)
    assert.notEqual(fromA.environment, fromB.environment, 'each environment takes one event at a time')
  } finally {
    await dev.server.close()
  }
})

// One environment (reserved concurrency 1), so consecutive events of a test are known to share it.
describe('Lambda lifecycle in dev', () => {
  let dev: Started
  before(async () => (dev = await start('lifecycle', { maxEnvironments: 1, limits: { integrationTimeoutMs: 10_000 } })))
  after(() => dev.server.close())

  test('work the handler did not await is frozen with its environment and goes on at its next event', async () => {
    const client = await connect(dev.server.url)
    const environment = (await ask(client, 'whoami')).environment
    client.send({ route: 'unawaited' })
    // The handler returned at once; its send is held while the environment is frozen between events.
    await assert.rejects(client.next(700), /no frame within 700 ms/)
    // The next event thaws that environment (the idle one that served this client), and the held send goes out first.
    client.send({ route: 'whoami' })
    assert.equal(await client.next(), 'late')
    assert.deepEqual(await client.next(), { environment })
    client.ws.close()
    // And the runtime said so when the handler returned, naming the line (source-mapped to socket.js).
    await eventually(() => dev.output.join('').includes('not awaited'), 'the not-awaited warning')
    const warning = dev.output
      .join('')
      .split('\n')
      .find((line) => line.includes('not awaited'))!
    assert.match(
      warning,
      /socket\.send\(\) in the "unawaited" handler was not awaited \((\S*\/)?socket\.js:19:\d+\): on Lambda this send may never happen/,
    )
  })

  test('what the function logs arrives before it is frozen, not at its next event', async () => {
    const client = await connect(dev.server.url)
    client.send({ route: 'log', data: { tag: 'T1' } })
    const all = ['log line 1 of T1', 'log line 2 of T1', 'log line 3 of T1', 'error line of T1']
    await eventually(
      () => all.every((line) => dev.output.join('').includes(line)),
      'all four lines, with no later event',
      5000,
    )
    client.ws.close()
  })

  test('process.exit ends the environment; the next event gets a fresh one', async () => {
    const client = await connect(dev.server.url)
    const before = (await ask(client, 'whoami')).environment
    assert.equal((await ask(client, 'exit')).message, 'Internal server error')
    assert.ok(
      dev.lines.some((l) =>
        /Runtime\.ExitError: Runtime exited with error: exit status 3 \(process\.exit\(3\) in socket\.js/.test(l),
      ),
    )
    const after = (await ask(client, 'whoami')).environment
    assert.notEqual(after, before)
    client.ws.close()
  })

  test('memory is enforced: a Buffer over `memory` ends the environment as out of memory; the next event works', async () => {
    const client = await connect(dev.server.url)
    // memory: 128 in serverless.yml; a Buffer is outside the V8 heap limit, and must still count.
    assert.equal((await ask(client, 'buffer', { mb: 200, holdMs: 300 })).message, 'Internal server error')
    assert.ok(
      dev.lines.some((l) => l.includes('Runtime.OutOfMemory')),
      dev.lines.join('\n'),
    )
    assert.ok((await ask(client, 'whoami')).environment)
    client.ws.close()
  })
})

describe('queueing and timeouts', () => {
  test('time spent waiting for an environment does not count against the function timeout', async () => {
    // One environment, a 3 s function timeout: the second 1.5 s event waits ~1.5 s, then runs 1.5 s.
    const dev = await start('lifecycle', { maxEnvironments: 1, limits: { integrationTimeoutMs: 10_000 } })
    try {
      const [fromA, fromB] = await twoSleeps(dev, 1500)
      assert.equal(fromA.slept, 1500)
      assert.equal(fromB.slept, 1500)
      assert.equal(fromA.environment, fromB.environment, 'one environment served both, one after the other')
      assert.ok(!dev.lines.some((l) => l.includes('timed out')), dev.lines.join('\n'))
    } finally {
      await dev.server.close()
    }
  })

  test('a flood of events behind busy environments is throttled at once, not held in memory', async () => {
    const dev = await start('lifecycle', { maxEnvironments: 1, maxQueued: 2, limits: { integrationTimeoutMs: 10_000 } })
    try {
      const client = await connect(dev.server.url)
      await ask(client, 'whoami')
      client.send({ route: 'sleep', data: { ms: 1500 } }) // holds the only environment
      await sleep(200)
      for (let i = 0; i < 5; i++) client.send({ route: 'whoami' }) // two may wait; three are throttled
      const frames = await Promise.all(Array.from({ length: 6 }, () => client.next(8000)))
      assert.equal(frames.filter((f) => f.message === 'Internal server error').length, 3, JSON.stringify(frames))
      assert.equal(frames.filter((f) => f.environment && !f.slept).length, 2, JSON.stringify(frames))
      assert.ok(
        dev.lines.some((l) => l.includes('TooManyRequestsException')),
        dev.lines.join('\n'),
      )
      client.ws.close()
    } finally {
      await dev.server.close()
    }
  })

  test("API Gateway's integration timeout still bounds queue wait plus run", async () => {
    // 2.5 s: the first 1 s event fits; the second waits 1 s and runs 1 s more (a 1 s margin either side).
    const dev = await start('lifecycle', { maxEnvironments: 1, limits: { integrationTimeoutMs: 2500 } })
    try {
      const [a, b] = await Promise.all([connect(dev.server.url), connect(dev.server.url)])
      await ask(a, 'whoami') // the environment is warm, so the first event's time is its sleep
      a.send({ route: 'sleep', data: { ms: 1000 } })
      b.send({ route: 'sleep', data: { ms: 2000 } })
      assert.equal((await a.next()).slept, 1000)
      assert.equal((await b.next()).message, 'Internal server error')
      assert.ok(
        dev.lines.some((l) => l.includes('IntegrationTimeout')),
        dev.lines.join('\n'),
      )
      a.ws.close()
      b.ws.close()
    } finally {
      await dev.server.close()
    }
  })
})

describe('faults while loading socket.js', () => {
  test("a socket.js that never finishes loading hits Lambda's init limit, named, and dev keeps serving", async () => {
    const dev = await start('lifecycle-init/spin', { initTimeoutMs: 500 })
    try {
      assert.ok(
        dev.lines.some((l) => /socket\.js did not finish loading in 0\.50 seconds, Lambda's init phase limit/.test(l)),
        dev.lines.join('\n'),
      )
      await assert.rejects(connect(dev.server.url), /Unexpected server response: 502/)
      // Lambda runs init again for the next event, in a fresh environment: it fails the same way, and is reported again.
      await eventually(
        () => dev.lines.filter((l) => l.includes('did not finish loading')).length >= 2,
        'a second init attempt',
      )
    } finally {
      await dev.server.close()
    }
  })

  test('process.exit while loading is reported with its status, and dev keeps serving', async () => {
    const dev = await start('lifecycle-init/exit')
    try {
      assert.ok(
        dev.lines.some((l) =>
          /function failed to initialize: Runtime\.ExitError: Runtime exited with error: exit status 3/.test(l),
        ),
        dev.lines.join('\n'),
      )
      await assert.rejects(connect(dev.server.url), /Unexpected server response: 502/)
      await assert.rejects(connect(dev.server.url), /Unexpected server response: 502/)
    } finally {
      await dev.server.close()
    }
  })
})
