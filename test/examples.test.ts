// The examples, served by the real gateway, used by real clients.
import assert from 'node:assert/strict'
import path from 'node:path'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { startDev } from '../src/dev/serve.ts'
import { ask, connect, type Client } from './helpers/clients.ts'

const EXAMPLES = path.join(import.meta.dirname, '../examples')

describe('examples/echo', () => {
  test('echoes route frames, JSON and text', async () => {
    const server = await startDev({ configFile: path.join(EXAMPLES, 'echo/serverless.yml'), port: 0, log: () => {} })
    try {
      const client = await connect(server.url)
      assert.deepEqual(await ask(client, 'message', { foo: 'bar' }), { foo: 'bar' })
      client.send('plain')
      assert.equal(await client.next(), 'plain')
      client.ws.close()
    } finally {
      await server.close()
    }
  })
})

describe('examples/chat', () => {
  async function join(url: string, room: string, name: string): Promise<Client> {
    const client = await connect(url)
    const welcome = await ask(client, 'join', { room, name })
    assert.equal(welcome.type, 'welcome')
    return client
  }

  test('rooms: members hear each other, other rooms do not', async () => {
    const server = await startDev({
      configFile: path.join(EXAMPLES, 'chat/serverless.yml'),
      port: 0,
      maxEnvironments: 1,
      log: () => {},
    })
    try {
      const ada = await join(server.url, 'lobby', 'ada')
      const bob = await join(server.url, 'lobby', 'bob')
      assert.deepEqual(await ada.next(), { type: 'joined', room: 'lobby', name: 'bob' })
      const eve = await join(server.url, 'elsewhere', 'eve')

      bob.send({ route: 'say', data: { text: 'hi all' } })
      const heard = { type: 'message', room: 'lobby', from: 'bob', text: 'hi all' }
      assert.deepEqual(await ada.next(), heard)
      assert.deepEqual(await bob.next(), heard)
      await assert.rejects(eve.next(300), /no frame/)

      bob.ws.close()
      assert.deepEqual(await ada.next(), { type: 'left', room: 'lobby', name: 'bob' })
      for (const c of [ada, eve]) c.ws.close()
    } finally {
      await server.close()
    }
  })

  test('gone connections are pruned when their $disconnect never came', async () => {
    const lines: string[] = []
    const server = await startDev({
      configFile: path.join(EXAMPLES, 'chat/serverless.yml'),
      port: 0,
      maxEnvironments: 1,
      dropDisconnect: true,
      log: (l) => lines.push(l),
    })
    try {
      const ada = await join(server.url, 'lobby', 'ada')
      const bob = await join(server.url, 'lobby', 'bob')
      await ada.next() // bob joined
      bob.ws.close()
      await bob.closed

      ada.send({ route: 'say', data: { text: 'anyone?' } })
      assert.equal((await ada.next()).text, 'anyone?')
      // ada hears herself before bob's 410 comes back: wait for the say invocation (2 joins + 1 say) to finish.
      for (let i = 0; i < 100 && lines.filter((l) => l.startsWith('$default')).length < 3; i++) await sleep(20)
      // bob's id was reported gone and pruned: a later join sees only ada.
      const cy = await connect(server.url)
      const welcome = await ask(cy, 'join', { room: 'lobby', name: 'cy' })
      assert.deepEqual(welcome.members, ['ada', 'cy'])
      assert.ok(!lines.some((l) => l.startsWith('$disconnect')), '$disconnect was dropped')
      for (const c of [ada, cy]) c.ws.close()
    } finally {
      await server.close()
    }
  })
})
