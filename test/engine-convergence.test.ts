// The engine converges: a deploy or remove that dies at any write is finished by the next run, transient AWS faults
// are waited out, concurrent deploys of one stage end with one stack, and a duplicate API left by a race is removed.
// All against moto behind the shim, through the real AWS SDK.
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { CreateApiCommand } from '@aws-sdk/client-apigatewayv2'
import { awsAdapter } from '../src/aws/adapter.ts'
import { createClients, destroyClients } from '../src/aws/clients.ts'
import { bundleSocket, LAMBDA_HANDLER } from '../src/bundle/build.ts'
import { loadConfig } from '../src/config/index.ts'
import type { Execute } from '../src/engine/apply.ts'
import { reconcile, type StageAdapter } from '../src/engine/deploy.ts'
import { desiredState } from '../src/engine/desired.ts'
import type { ObservedState } from '../src/engine/model.ts'
import { deployStage, removeStageOf } from '../src/pipeline.ts'
import { VERSION } from '../src/version.ts'
import { FAST, scratchProject, startAwsBed, type AwsBed, type Project } from './helpers/aws-bed.ts'
import { comparable, readAccount, sdk, type AccountState } from './helpers/aws-state.ts'
import type { FaultReply } from './helpers/aws-shim.ts'

/** A failure the SDK does not retry (a 400 of a type it does not know), so the run really dies at that write. */
const CRASH: FaultReply = { status: 400, errorType: 'InjectedCrash', message: 'the deploy died here' }
const TAGS = {
  'socket-action:app': 'my-socket',
  'socket-action:stage': 'prod',
  'socket-action:repo': 'local',
  'socket-action:region': 'us-east-1',
  'socket-action:version': VERSION,
}

const isProd = (tags: Record<string, string>) =>
  tags['socket-action:app'] === 'my-socket' &&
  tags['socket-action:stage'] === 'prod' &&
  tags['socket-action:repo'] === 'local'

function tagged(state: AccountState) {
  return {
    roles: state.roles.filter((r) => isProd(r.tags)),
    functions: state.functions.filter((f) => isProd(f.tags)),
    apis: state.apis.filter((a) => isProd(a.tags)),
  }
}

// Each crash test runs for a stage without and one with the connection registry (its table, TTL and env).
for (const registry of [false, true])
  describe(`deploy engine convergence on moto${registry ? ', connections: registry' : ''}`, () => {
    let bed: AwsBed
    let project: Project
    /** comparable(readAccount()) after one clean fresh deploy of the stage. */
    let clean: unknown
    /** Write calls of that clean fresh deploy, and of a clean remove of it. */
    let deployWrites: string[]
    let removeWrites: string[]

    const deploy = () => deployStage({ configFile: project.config, stage: 'prod', ...FAST })
    const remove = () => removeStageOf({ configFile: project.config, stage: 'prod', ...FAST })
    const writes = () => bed.shim.writes().map((c) => c.operation)
    /** HTTP statuses of an operation's calls, any 2xx as 'ok'. */
    const statuses = (operation: string) =>
      bed.shim
        .calls()
        .filter((c) => c.operation === operation)
        .map((c) => (c.status >= 200 && c.status < 300 ? 'ok' : c.status))

    /** A deploy that follows a converged one changes nothing. */
    async function assertSettled(): Promise<void> {
      bed.shim.clearCalls()
      const again = await deploy()
      assert.equal(again.changed, false)
      assert.deepEqual(writes(), [])
    }

    before(async () => {
      bed = await startAwsBed()
      project = await scratchProject()
      if (registry)
        await project.edit('serverless.yml', (text) =>
          text.replace(/^ {2}inputs:\n/m, '  inputs:\n    connections: registry\n'),
        )
      await bed.reset()
      await deploy()
      deployWrites = writes()
      clean = comparable(await readAccount())
      bed.shim.clearCalls()
      await remove()
      removeWrites = writes()
    })
    after(async () => {
      await bed?.stop()
      await project?.remove()
    })
    beforeEach(() => bed.reset())

    test('the clean runs are what the other tests measure against', () => {
      const state = clean as AccountState
      assert.equal(state.roles.length, 1)
      assert.equal(state.functions.length, 1)
      assert.equal(state.apis.length, 1)
      assert.equal(state.apis[0]!.integrations.length, 1)
      assert.equal(state.apis[0]!.routes.length, 3)
      assert.equal(state.apis[0]!.stages.length, 1)
      assert.ok(deployWrites.length >= 10, `a fresh deploy writes every resource: ${deployWrites}`)
      // DeleteRole twice: IAM answers DeleteConflict right after DeleteRolePolicy, and the engine waits it out.
      assert.deepEqual([...removeWrites].sort(), [
        'DeleteApi',
        'DeleteFunction',
        'DeleteLogGroup',
        'DeleteRole',
        'DeleteRole',
        'DeleteRolePolicy',
        ...(registry ? ['DeleteTable'] : []),
      ])
      assert.ok(
        deployWrites.includes('CreateLogGroup') && deployWrites.includes('PutRetentionPolicy'),
        'the crash tests cover the log group',
      )
      // The registry's writes are among those the crash tests die at; its table is in the state they compare.
      assert.equal(deployWrites.includes('CreateTable') && deployWrites.includes('UpdateTimeToLive'), registry)
      assert.equal(state.tables.length, registry ? 1 : 0)
      if (registry) {
        assert.deepEqual(state.tables[0]!.ttl, { status: 'ENABLED', attribute: 'expires' })
        assert.equal(state.functions[0]!.env?.SOCKET_ACTION_TABLE, 'my-socket-prod-connections')
      }
    })

    test('a fresh deploy that dies at any write is finished by the next deploy: same state, no duplicates', async () => {
      for (let k = 1; k <= deployWrites.length; k++) {
        await bed.reset()
        bed.shim.failAfterWrites(k, CRASH)
        await assert.rejects(deploy(), /InjectedCrash/, `deploy dying at write ${k}`)
        assert.equal(bed.shim.writes().length >= k, true, `write ${k} was reached`)
        bed.shim.clearFaults()
        bed.shim.clearCalls()
        const result = await deploy()
        assert.equal(result.changed, true, `the re-run after dying at write ${k} finishes the stage`)
        const state = await readAccount()
        assert.deepEqual(comparable(state), clean, `state after dying at write ${k} and re-running`)
        assert.equal(result.apiId, state.apis[0]!.id)
        await assertSettled()
      }
    })

    test('a remove that dies at any write is finished by the next remove: nothing tagged for the stage remains', async () => {
      for (let k = 1; k <= removeWrites.length; k++) {
        await bed.reset()
        await deploy()
        bed.shim.failAfterWrites(k, CRASH)
        await assert.rejects(remove(), /InjectedCrash/, `remove dying at write ${k}`)
        bed.shim.clearFaults()
        const again = await remove()
        assert.equal(again.found, true, `the re-run after dying at write ${k} still finds what is left`)
        const state = await readAccount()
        assert.deepEqual(
          tagged(state),
          { roles: [], functions: [], apis: [] },
          `left after dying at write ${k} and re-running`,
        )
        assert.deepEqual(state, { logGroups: [], roles: [], functions: [], apis: [], tables: [] })
        bed.shim.clearCalls()
        const last = await remove()
        assert.equal(last.found, false)
        assert.deepEqual(writes(), [])
      }
    })

    // The rest needs no second run with the registry.
    if (registry) return

    describe('transient faults are retried, not fatal', () => {
      test('IAM throttling (query XML) on CreateRole and PutRolePolicy', async () => {
        bed.shim.fault({
          operation: 'CreateRole',
          status: 400,
          errorType: 'ThrottlingException',
          message: 'Rate exceeded',
        })
        bed.shim.fault({
          operation: 'PutRolePolicy',
          times: 2,
          status: 400,
          errorType: 'Throttling',
          message: 'Rate exceeded',
        })
        await deploy()
        assert.deepEqual(statuses('CreateRole'), [400, 'ok'])
        assert.deepEqual(statuses('PutRolePolicy'), [400, 400, 'ok'])
        assert.deepEqual(comparable(await readAccount()), clean)
        await assertSettled()
      })

      test('429 TooManyRequestsException on CreateFunction', async () => {
        bed.shim.configure({ roleUnassumableCalls: 0 })
        bed.shim.fault({
          operation: 'CreateFunction',
          status: 429,
          errorType: 'TooManyRequestsException',
          message: 'Rate exceeded',
        })
        await deploy()
        assert.deepEqual(statuses('CreateFunction'), [429, 'ok'])
        assert.deepEqual(comparable(await readAccount()), clean)
        await assertSettled()
      })

      test('500 on CreateApi', async () => {
        bed.shim.fault({
          operation: 'CreateApi',
          status: 500,
          errorType: 'InternalServerError',
          message: 'Internal server error',
        })
        await deploy()
        assert.deepEqual(statuses('CreateApi'), [500, 'ok'])
        assert.deepEqual(comparable(await readAccount()), clean)
        await assertSettled()
      })

      test('409 "An update is in progress" on UpdateFunctionCode', async () => {
        await deploy()
        await project.edit('socket.js', (s) =>
          s.replace('await socket.send(data)\n})\n\n// Every', 'await socket.send({ echo: data })\n})\n\n// Every'),
        )
        try {
          const before = (await readAccount()).functions[0]!
          bed.shim.clearCalls()
          bed.shim.fault({
            operation: 'UpdateFunctionCode',
            status: 409,
            errorType: 'ResourceConflictException',
            message: `The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:us-east-1:123456789012:function:my-socket-prod`,
          })
          await deploy()
          assert.deepEqual(statuses('UpdateFunctionCode'), [409, 'ok'])
          assert.deepEqual(writes(), ['UpdateFunctionCode', 'UpdateFunctionCode', 'UpdateAlias'])
          const state = await readAccount()
          const code = state.functions[0]!.codeSha256
          assert.notEqual(code, before.codeSha256)
          const expected = structuredClone(clean) as AccountState
          expected.functions[0]!.codeSha256 = code
          // The new code is published as version 2, and live points to it.
          expected.functions[0]!.live = '2'
          expected.functions[0]!.versions.push({ version: '2', codeSha256: code })
          assert.deepEqual(comparable(state), expected)
          await assertSettled()
        } finally {
          await project.edit('socket.js', (s) =>
            s.replace('await socket.send({ echo: data })', 'await socket.send(data)'),
          )
        }
      })

      test('a new role that Lambda cannot assume yet (three times)', async () => {
        bed.shim.configure({ roleUnassumableCalls: 3 })
        await deploy()
        assert.deepEqual(statuses('CreateFunction'), [400, 400, 400, 'ok'])
        assert.deepEqual(comparable(await readAccount()), clean)
        await assertSettled()
      })
    })

    test('three concurrent deploys of one stage end with one stack, and all report it', async (t) => {
      bed.shim.latency(20)
      const results = await Promise.allSettled([deploy(), deploy(), deploy()])
      bed.shim.latency(0)
      const created = statuses('CreateApi').length
      t.diagnostic(
        `${created} CreateApi; rounds ${results.map((r) => (r.status === 'fulfilled' ? r.value.rounds : 'rejected'))}; writes ${writes().join(' ')}`,
      )
      assert.ok(created > 1, 'the deploys overlapped: more than one created an API')
      const state = await readAccount()
      // The state converges whatever the calls reported: one of everything.
      assert.equal(state.apis.length, 1, `APIs: ${state.apis.map((a) => a.id)}`)
      assert.deepEqual(comparable(state), clean)
      assert.equal(state.apis[0]!.integrations.length, 1)
      assert.deepEqual(
        state.apis[0]!.routes.map((r) => r.key),
        ['$connect', '$default', '$disconnect'],
      )
      assert.equal(state.apis[0]!.stages.length, 1)
      await assertSettled()
      // ...and every call resolved with that API.
      const rejected = results
        .filter((r) => r.status === 'rejected')
        .map((r) => String((r as PromiseRejectedResult).reason))
      assert.deepEqual(rejected, [])
      const apiIds = results.map((r) => (r as PromiseFulfilledResult<{ apiId: string }>).value.apiId)
      assert.deepEqual(apiIds, [state.apis[0]!.id, state.apis[0]!.id, state.apis[0]!.id])
    })

    test('a round that dies while its race check (GetApis after CreateApi) is failing rejects with the write error, nothing unhandled', async () => {
      // GetApis #1 is the observe; #2 is the race check run beside the rest of the round.
      bed.shim.fault({
        operation: 'GetApis',
        nth: 2,
        status: 400,
        errorType: 'AccessDeniedException',
        message: 'not allowed to list APIs',
      })
      bed.shim.fault({ operation: 'CreateRole', ...CRASH })
      await assert.rejects(deploy(), /InjectedCrash/)
      // Give the race check's rejection time to surface: node:test fails this test on an unhandled rejection.
      for (let i = 0; i < 100 && !statuses('GetApis').includes(400); i++) await sleep(10)
      assert.deepEqual(statuses('GetApis'), ['ok', 400])
      await sleep(50)
      bed.shim.clearFaults()
      await deploy()
      assert.deepEqual(comparable(await readAccount()), clean)
    })

    test('a deploy that returned keeps its API when a racer creates one in the same second (B observes before A creates, creates after A returned)', async () => {
      const { sockets } = await loadConfig(project.config, { env: process.env, stage: 'prod' })
      const socket = sockets[0]!
      const bundle = await bundleSocket(socket.handlerFile, { codeDir: socket.codeDir })
      const identity = { app: socket.app, stage: socket.stage, repo: 'local', region: 'us-east-1' }
      const desiredFor = (o: ObservedState) =>
        desiredState({
          socket,
          identity,
          region: 'us-east-1',
          account: o.account,
          partition: o.partition,
          codeSha256: bundle.sha256,
          handler: LAMBDA_HANDLER,
          version: VERSION,
        })
      const lost: string[] = []
      for (let attempt = 0; attempt < 6; attempt++) {
        await bed.reset()
        const gate = () => {
          let open!: () => void
          return { opened: new Promise<void>((resolve) => (open = resolve)), open: () => open() }
        }
        const bObserved = gate()
        const aReturned = gate()
        const clients = [createClients({ region: 'us-east-1' }), createClients({ region: 'us-east-1' })]
        /** A's CreateApi waits for B's first observe; B's CreateApi waits until A has returned. */
        const adapter = (who: 'A' | 'B'): StageAdapter => {
          const base = awsAdapter({ clients: clients[who === 'A' ? 0 : 1]!, identity, zip: bundle.zip, ...FAST })
          return {
            ...base,
            observe: async (options) => {
              const observed = await base.observe(options)
              if (who === 'B') bObserved.open()
              return observed
            },
            executor: (desired) => {
              const run: Execute = base.executor(desired)
              return async (action, facts) => {
                if (action.id === 'api:create') await (who === 'A' ? bObserved : aReturned).opened
                return run(action, facts)
              }
            },
          }
        }
        const a = reconcile(adapter('A'), desiredFor).finally(aReturned.open)
        const [ra, rb] = await Promise.allSettled([a, reconcile(adapter('B'), desiredFor)])
        clients.forEach(destroyClients)
        const apis = (await readAccount()).apis.map((api) => api.id)
        if (ra.status === 'rejected' || rb.status === 'rejected')
          lost.push(`a deploy rejected: ${ra.status === 'rejected' ? ra.reason : (rb as PromiseRejectedResult).reason}`)
        else if (apis.length !== 1 || ra.value.apiId !== apis[0] || rb.value.apiId !== apis[0])
          lost.push(`A returned ${ra.value.apiId}, B ${rb.value.apiId}, left: ${apis}`)
      }
      assert.deepEqual(lost, [])
    })

    test('a second API tagged for the stage (a lost race) is deleted: the older one and its URL are kept', async () => {
      const first = await deploy()
      // moto's CreatedDate has whole seconds: the duplicate must be visibly newer.
      await sleep(1100)
      const duplicate = await sdk().apigw.send(
        new CreateApiCommand({
          Name: 'my-socket-prod',
          ProtocolType: 'WEBSOCKET',
          RouteSelectionExpression: '$request.body.route',
          Tags: TAGS,
        }),
      )
      assert.equal((await readAccount()).apis.length, 2)
      bed.shim.clearCalls()
      const second = await deploy()
      assert.equal(second.apiId, first.apiId)
      assert.equal(second.url, first.url)
      assert.deepEqual(writes(), ['DeleteApi'])
      assert.ok(bed.shim.writes()[0]!.path.endsWith(`/v2/apis/${duplicate.ApiId}`))
      const state = await readAccount()
      assert.deepEqual(
        state.apis.map((a) => a.id),
        [first.apiId],
      )
      assert.deepEqual(comparable(state), clean)
      await assertSettled()
    })
  })
