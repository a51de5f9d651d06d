// A stage with a custom domain, end to end on moto behind the shim (its custom-domain rows: ACM statuses, domain
// names that are still being set up, Route 53 changes that are PENDING) and the edge (the stage served at its wss://
// URLs through a CONNECT proxy): deploy, serve and verify at the custom URL, an unchanged redeploy that writes
// nothing, a run that dies at any write finished by the next, remove, adopted domain names, and the errors that stop
// a deploy before its first write.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { rootCertificates } from 'node:tls'
import { after, before, beforeEach, describe, test } from 'node:test'
import { CreateDomainNameCommand, GetDomainNamesCommand } from '@aws-sdk/client-apigatewayv2'
import { CreateHostedZoneCommand } from '@aws-sdk/client-route-53'
import { PlanError } from '../src/engine/plan.ts'
import { deployStage, removeStageOf } from '../src/pipeline.ts'
import { proxyFor, tunnelAgent } from '../src/proxy.ts'
import { verifyEndpoint } from '../src/verify.ts'
import { issueCertificate } from './helpers/acm-certificates.ts'
import { FAST, scratchProject, startAwsBed, type AwsBed, type Project } from './helpers/aws-bed.ts'
import type { FaultReply } from './helpers/aws-shim.ts'
import { comparable, readAccount, sdk, type AccountState } from './helpers/aws-state.ts'
import { type Client, connect } from './helpers/clients.ts'

const CRASH: FaultReply = { status: 400, errorType: 'InjectedCrash', message: 'the deploy died here' }
const ZONE = 'example.com'
const PROD = 'prod.ws.example.com'

const SOCKET_JS = `
on('whoami', async (data, socket) => { await socket.send({ domain: socket.domain, stage: socket.stage }) })
on('default', async (data, socket) => { await socket.send(data) })
`
/** serverless.yml's inputs with a domain: a per-stage name in the zone, or `yaml` as given. */
const withDomain = (
  text: string,
  yaml = `    domain:\n      name: "{stage}.ws.example.com"\n      hostedZone: ${ZONE}\n`,
) => text.replace(/^ {2}inputs:\n/m, `  inputs:\n${yaml}`)

describe('a stage with a custom domain, on moto with the shim and the edge', () => {
  let bed: AwsBed
  let project: Project
  let zoneId: string
  let certificateArn: string | undefined
  const clients = sdk()
  const sockets: Client[] = []

  const deploy = (stage = 'prod') => deployStage({ configFile: project.config, stage, ...FAST })
  const remove = (stage = 'prod') => removeStageOf({ configFile: project.config, stage, ...FAST })
  const writes = () => bed.shim.writes().map((c) => c.operation)
  const edge = () => bed.edge!

  /** A ws client behind the proxy: the tunnel, the run's CA trusted besides Node's. */
  async function client(url: string): Promise<Client> {
    const proxy = proxyFor(url, { HTTPS_PROXY: edge().proxyUrl })
    assert.ok(proxy)
    const socket = await connect(url, undefined, {
      agent: tunnelAgent(url, proxy),
      ca: [...rootCertificates, edge().ca],
    })
    sockets.push(socket)
    return socket
  }

  /** A reset account with the zone and a wildcard certificate for the stages' names; the call log cleared. */
  async function account(certificate: 'wildcard' | 'none' | 'pending' = 'wildcard'): Promise<void> {
    await bed.reset()
    const zone = await clients.route53.send(
      new CreateHostedZoneCommand({ Name: ZONE, CallerReference: `${Date.now()}-${Math.random()}` }),
    )
    zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '')
    certificateArn = undefined
    if (certificate !== 'none')
      certificateArn = await issueCertificate(bed.shim, '*.ws.example.com', {
        sans: ['ws.example.com'],
        status: certificate === 'pending' ? 'PENDING_VALIDATION' : 'ISSUED',
      })
    bed.shim.clearCalls()
  }

  /** comparable(), with this account's zone id and certificate ARN (new after each reset) as placeholders. */
  const settled = async () =>
    JSON.parse(
      JSON.stringify(comparable(await readAccount()))
        .replaceAll(zoneId, 'ZONE')
        .replaceAll(certificateArn ?? 'no certificate', 'CERTIFICATE'),
    )

  before(async () => {
    bed = await startAwsBed({ edge: true })
    project = await scratchProject()
    await project.edit('socket.js', () => SOCKET_JS)
    await project.edit('serverless.yml', (text) => withDomain(text))
  })
  after(async () => {
    for (const socket of sockets) socket.ws.terminate()
    clients.route53.destroy()
    await project?.remove()
    await bed?.stop()
  })
  beforeEach(() => account())

  test('deploy: the URL is the domain, served and verified there; the execute-api URL still works; an unchanged redeploy writes nothing', async () => {
    const deployed = await deploy()
    assert.equal(deployed.url, `wss://${PROD}`)
    assert.equal(deployed.domain, PROD)
    assert.match(deployed.apiUrl, /^wss:\/\/[a-z0-9]+\.execute-api\.us-east-1\.amazonaws\.com\/prod$/)
    const made = writes()
    for (const operation of ['CreateDomainName', 'CreateApiMapping', 'ChangeResourceRecordSets'])
      assert.equal(made.filter((o) => o === operation).length, 1, `${operation} once in ${made}`)
    // The deploy waited for what AWS sets up after the call: the domain name AVAILABLE, the record INSYNC.
    assert.ok(bed.shim.calls().some((c) => c.operation === 'GetChange'))

    const state = await readAccount()
    assert.equal(state.domains?.length, 1)
    const domain = state.domains![0]!
    assert.equal(domain.name, PROD)
    assert.equal(domain.endpointType, 'REGIONAL')
    assert.equal(domain.securityPolicy, 'TLS_1_2')
    assert.equal(domain.status, 'AVAILABLE')
    assert.equal(domain.tags['socket-action:stage'], 'prod')
    assert.equal(domain.tags['socket-action:app'], 'my-socket')
    assert.deepEqual(domain.mappings, [{ apiId: deployed.apiId, stage: 'prod', key: '' }])
    assert.deepEqual(
      state.records?.map((r) => [r.name, r.type, r.alias?.replace(/\.$/, '')]),
      [[`${PROD}.`, 'A', domain.target]],
    )
    assert.equal(state.apis[0]!.tags['socket-action:domain'], PROD)

    const viaDomain = await client(deployed.url)
    viaDomain.send({ route: 'whoami' })
    assert.deepEqual(await viaDomain.next(), { domain: PROD, stage: 'prod' }, 'the events name the custom domain')
    viaDomain.send('hello')
    assert.equal(await viaDomain.next(), 'hello')
    const viaApi = await client(deployed.apiUrl)
    viaApi.send('still here')
    assert.equal(await viaApi.next(), 'still here')

    const verified = await verifyEndpoint({
      url: deployed.url,
      smoke: { message: '{"route":"whoami"}', expect: `"domain":"${PROD}"` },
      env: { HTTPS_PROXY: edge().proxyUrl },
      extraCa: edge().ca,
      deadlineMs: 0,
    })
    assert.equal(verified.attempts, 1)

    bed.shim.clearCalls()
    const again = await deploy()
    assert.equal(again.changed, false)
    assert.deepEqual(writes(), [])
    assert.ok(again.rounds <= 2, `an unchanged redeploy reads in ${again.rounds} rounds`)
    assert.equal(again.url, deployed.url)
  })

  test('a deploy that dies at any write is finished by the next; a remove that dies at any write too, and nothing it made is left', async () => {
    await deploy()
    const deployWrites = writes().length
    const clean = await settled()
    bed.shim.clearCalls()
    await remove()
    const removeWrites = writes()
    assert.ok(removeWrites.includes('DeleteApiMapping') || removeWrites.includes('DeleteDomainName'), `${removeWrites}`)
    const removed = await readAccount()
    assert.equal(removed.domains, undefined, 'no domain name left')
    assert.equal(removed.records, undefined, 'no record left')

    for (let k = 1; k <= deployWrites; k++) {
      await account()
      bed.shim.failAfterWrites(k, CRASH)
      await assert.rejects(deploy(), /InjectedCrash/, `deploy dying at write ${k}`)
      bed.shim.clearFaults()
      const result = await deploy()
      assert.equal(result.url, `wss://${PROD}`)
      assert.deepEqual(await settled(), clean, `state after dying at write ${k} and re-running`)
      bed.shim.clearCalls()
      assert.equal((await deploy()).changed, false)
      assert.deepEqual(writes(), [], `settled after dying at write ${k}`)
    }
    for (let k = 1; k <= removeWrites.length; k++) {
      await account()
      await deploy()
      bed.shim.clearCalls()
      bed.shim.failAfterWrites(k, CRASH)
      await assert.rejects(remove(), /InjectedCrash/, `remove dying at write ${k}`)
      bed.shim.clearFaults()
      await remove()
      const left = await readAccount()
      assert.equal(left.domains, undefined, `no domain name after dying at remove write ${k}`)
      assert.equal(left.records, undefined, `no record after dying at remove write ${k}`)
      assert.deepEqual([left.apis, left.functions, left.roles], [[], [], []])
    }
  })

  test('previews: each stage its own name, record and mapping; removing one leaves the other serving', async () => {
    const prod = await deploy()
    const preview = await deploy('pr-42')
    assert.equal(preview.url, 'wss://pr-42.ws.example.com')
    const state = await readAccount()
    assert.deepEqual(
      state.domains?.map((d) => [d.name, d.mappings.map((m) => m.apiId)]),
      [
        ['pr-42.ws.example.com', [preview.apiId]],
        [PROD, [prod.apiId]],
      ],
    )
    assert.deepEqual(state.records?.map((r) => r.name).sort(), ['pr-42.ws.example.com.', `${PROD}.`])
    await remove('pr-42')
    const after = await readAccount()
    assert.deepEqual(
      after.domains?.map((d) => d.name),
      [PROD],
    )
    assert.deepEqual(
      after.records?.map((r) => r.name),
      [`${PROD}.`],
    )
    const socket = await client(prod.url)
    socket.send('prod stays')
    assert.equal(await socket.next(), 'prod stays')
  })

  test('domain taken out of serverless.yml: the next deploy removes the mapping, the record and the domain name it made', async () => {
    await deploy()
    const original = await readFile(project.config, 'utf8')
    await project.edit('serverless.yml', (text) => text.replace(/ {4}domain:\n( {6}.*\n)+/, ''))
    try {
      bed.shim.clearCalls()
      const deployed = await deploy()
      assert.match(deployed.url, /execute-api/)
      assert.equal(deployed.domain, undefined)
      const state = await readAccount()
      assert.equal(state.domains, undefined)
      assert.equal(state.records, undefined)
      assert.equal(state.apis[0]!.tags['socket-action:domain'], undefined)
    } finally {
      await project.edit('serverless.yml', () => original)
    }
  })

  test('an adopted domain name (made by someone else) is mapped to, and remove deletes only the mapping', async () => {
    const arn = (
      await clients.apigw.send(
        new CreateDomainNameCommand({
          DomainName: 'ws.example.com',
          DomainNameConfigurations: [
            {
              CertificateArn: await issueCertificate(bed.shim, 'ws.example.com'),
              EndpointType: 'REGIONAL',
              SecurityPolicy: 'TLS_1_2',
            },
          ],
          Tags: { owner: 'platform-team' },
        }),
      )
    ).DomainNameArn
    assert.ok(arn !== null)
    const original = await readFile(project.config, 'utf8')
    await project.edit('serverless.yml', (text) =>
      withDomain(text.replace(/ {4}domain:\n( {6}.*\n)+/, ''), '    domain: ws.example.com\n'),
    )
    try {
      bed.shim.clearCalls()
      const deployed = await deploy()
      assert.equal(deployed.url, 'wss://ws.example.com')
      assert.ok(!writes().includes('CreateDomainName'))
      assert.ok(!writes().includes('TagDomainName'), 'an adopted domain name is not tagged as ours')
      bed.shim.clearCalls()
      await remove()
      assert.ok(!writes().includes('DeleteDomainName'))
      const { Items } = await clients.apigw.send(new GetDomainNamesCommand({}))
      assert.deepEqual(
        Items?.map((d) => [d.DomainName, d.Tags]),
        [['ws.example.com', { owner: 'platform-team' }]],
        'the adopted domain name keeps its name and tags',
      )
      const state = await readAccount()
      assert.deepEqual(state.domains?.[0]?.mappings, [], 'only its mapping went')
    } finally {
      await project.edit('serverless.yml', () => original)
    }
  })

  for (const [kind, expected] of [
    ['none', /no ISSUED ACM certificate[\s\S]*aws acm request-certificate --domain-name prod\.ws\.example\.com/],
    ['pending', /PENDING_VALIDATION/],
  ] as const)
    test(`no usable certificate (${kind}): the deploy fails before its first write, saying what to create`, async () => {
      await account(kind)
      const failure = await deploy().then(
        () => undefined,
        (error: unknown) => error,
      )
      assert.ok(failure instanceof PlanError, `a PlanError, got ${failure}`)
      assert.match((failure as Error).message, expected)
      assert.deepEqual(writes(), [], 'no AWS writes')
      const state: AccountState = await readAccount()
      assert.deepEqual([state.roles, state.functions, state.apis, state.domains], [[], [], [], undefined])
    })

  test('a hosted zone that does not exist: the deploy fails before its first write, naming it', async () => {
    const original = await readFile(project.config, 'utf8')
    await project.edit('serverless.yml', (text) => text.replace(`hostedZone: ${ZONE}`, 'hostedZone: ws.example.com'))
    try {
      await assert.rejects(deploy(), (error: Error) => {
        assert.match(error.message, /ws\.example\.com/)
        assert.match(error.message, /hosted zone/i)
        return true
      })
      assert.deepEqual(writes(), [])
      assert.ok(zoneId)
    } finally {
      await project.edit('serverless.yml', () => original)
    }
  })
})
