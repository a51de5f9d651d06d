// A stage deployed to moto, served at its real wss:// URLs by the test bed's edge (helpers/aws-edge.ts) and reached
// as a client behind a proxy reaches it: through HTTPS_PROXY, trusting the run's CA. The execute-api URL, a custom
// domain that resolves through Route 53 only, and verify (src/verify.ts) in process and as a child process.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  ApiGatewayManagementApiClient,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi'
import {
  ApiGatewayV2Client,
  CreateApiMappingCommand,
  CreateDomainNameCommand,
  CreateRouteCommand,
  DeleteRouteCommand,
  GetDomainNameCommand,
} from '@aws-sdk/client-apigatewayv2'
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  type Change,
  Route53Client,
} from '@aws-sdk/client-route-53'
import { rootCertificates } from 'node:tls'
import { promisify } from 'node:util'
import { ACMClient, ImportCertificateCommand } from '@aws-sdk/client-acm'
import { deployStage } from '../src/pipeline.ts'
import { proxyFor, tunnelAgent } from '../src/proxy.ts'
import { VerifyError, verifyEndpoint } from '../src/verify.ts'
import { apiGatewayDomainNameOf, startEdge } from './helpers/aws-edge.ts'
import { FAST, scratchProject, startAwsBed, type AwsBed, type Project } from './helpers/aws-bed.ts'
import { type Client, connect } from './helpers/clients.ts'
import { runNode } from './helpers/processes.ts'

const SOCKET_JS = `
on('connect', async (data) => (data.query.token === 'letmein' && data.headers['X-Client'] === 'edge-test' ? 200 : 401))
on('whoami', async (data, socket) => { await socket.send({ id: socket.id, domain: socket.domain, stage: socket.stage }) })
on('tell', async (data, socket) => { await socket.send({ from: socket.id, text: data.text }, data.to) })
on('default', async (data, socket) => { await socket.send(data) })
`
const DOMAIN = 'ws.example.com'

/** A certificate for `names` in moto's ACM, imported (ISSUED, as an imported certificate is) from one openssl signs. */
async function importCertificate(names: string[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'aws-edge-cert-'))
  const acm = new ACMClient({})
  try {
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
      '-days',
      '30',
      '-subj',
      `/CN=${names[0]}`,
      '-addext',
      `subjectAltName=${names.map((name) => `DNS:${name}`).join(',')}`,
    ])
    const imported = await acm.send(
      new ImportCertificateCommand({
        Certificate: await readFile(path.join(dir, 'cert.pem')),
        PrivateKey: await readFile(path.join(dir, 'key.pem')),
      }),
    )
    return imported.CertificateArn!
  } finally {
    acm.destroy()
    await rm(dir, { recursive: true, force: true })
  }
}

describe('the edge: a deployed stage at its wss:// URLs, through an HTTPS proxy', () => {
  let bed: AwsBed
  let project: Project
  let url: string
  let apiId: string
  const log: string[] = []
  before(async () => {
    bed = await startAwsBed({ edge: { log: (line) => log.push(line) } })
    project = await scratchProject()
    await writeFile(path.join(project.dir, 'socket.js'), SOCKET_JS)
    const deployed = await deployStage({ configFile: project.config, stage: 'prod', ...FAST })
    url = deployed.url
    apiId = deployed.apiId
  })
  after(async () => {
    await project?.remove()
    await bed?.stop()
  })

  const edge = () => bed.edge!
  const proxyEnv = () => ({ HTTPS_PROXY: edge().proxyUrl })
  /** A ws client as one behind the proxy connects: the tunnel, the run's CA trusted besides Node's. */
  function client(
    target: string,
    query = '?token=letmein',
    headers: Record<string, string> = { 'X-Client': 'edge-test' },
  ) {
    const proxy = proxyFor(target, proxyEnv())
    assert.ok(proxy, 'the proxy is used for the deployed URL')
    return connect(`${target}${query}`, undefined, {
      agent: tunnelAgent(target, proxy),
      ca: [...rootCertificates, edge().ca],
      headers,
    })
  }
  const sockets: Client[] = []
  after(() => {
    for (const socket of sockets) socket.ws.terminate()
  })

  test('the execute-api URL: $connect decides (401 refuses the upgrade), the echo replies, a send reaches another connection, the events name the URL', async () => {
    assert.match(url, /^wss:\/\/[a-z0-9]+\.execute-api\.us-east-1\.amazonaws\.com\/prod$/)
    await assert.rejects(client(url, '?token=wrong'), /Unexpected server response: 401/)
    await assert.rejects(client(url, '?token=letmein', {}), /Unexpected server response: 401/, 'headers reach $connect')

    const alice = await client(url)
    const bob = await client(url)
    sockets.push(alice, bob)
    alice.send({ route: 'whoami' })
    const me = await alice.next()
    assert.deepEqual(me, { id: me.id, domain: `${apiId}.execute-api.us-east-1.amazonaws.com`, stage: 'prod' })
    bob.send({ route: 'whoami' })
    const bobId = (await bob.next()).id

    alice.send('plain text')
    assert.equal(await alice.next(), 'plain text', 'the $default route echoes')
    alice.send({ route: 'tell', data: { to: bobId, text: 'hi bob' } })
    assert.deepEqual(
      await bob.next(),
      { from: me.id, text: 'hi bob' },
      "the handler's send reached the other connection",
    )

    // The function's sends went to the edge's @connections; the edge's own calls are not the deploy's writes.
    const calls = bed.shim.calls()
    assert.ok(calls.some((c) => c.operation === 'Invoke' && c.caller === 'edge'))
    assert.ok(!bed.shim.writes().some((c) => c.operation === 'Invoke'))

    // @connections at the API's own URL, through the proxy, with the SDK as a backend would call it.
    const management = (ca?: string[]) =>
      new ApiGatewayManagementApiClient({
        endpoint: url.replace(/^wss:/, 'https:'),
        maxAttempts: 1,
        // The SDK's NodeHttpHandler options: its HTTPS connections are the tunnel's.
        requestHandler: { httpsAgent: tunnelAgent(url, proxyFor(url, proxyEnv())!, { agent: ca ? { ca } : {} }) },
      })
    const trusted = management([...rootCertificates, edge().ca])
    const untrusted = management()
    try {
      await trusted.send(new PostToConnectionCommand({ ConnectionId: bobId, Data: 'from a backend' }))
      assert.equal(await bob.next(), 'from a backend')
      const info = await trusted.send(new GetConnectionCommand({ ConnectionId: bobId }))
      assert.ok(info.ConnectedAt instanceof Date)
      // Without the run's CA the edge's certificate is not trusted: the TLS is real.
      await assert.rejects(
        untrusted.send(new GetConnectionCommand({ ConnectionId: bobId })),
        /self-signed|unable to (get|verify)|certificate/i,
      )
    } finally {
      trusted.destroy()
      untrusted.destroy()
    }
  })

  test("route selection follows the API's expression ($request.body.route): a route of its own is taken, else $default", async () => {
    const apigw = new ApiGatewayV2Client({})
    try {
      // A route without an integration: selecting it fails the message, as an integration that cannot run does.
      const ghost = await apigw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'ghost' }))
      const carol = await client(url) // the routes are read at $connect
      sockets.push(carol)
      carol.send({ route: 'ghost' })
      const failed = await carol.next()
      assert.equal(failed.message, 'Internal server error')
      carol.send({ route: 'unknown', data: 'x' })
      assert.deepEqual(await carol.next(), { route: 'unknown', data: 'x' }, 'a key with no route of its own: $default')
      await apigw.send(new DeleteRouteCommand({ ApiId: apiId, RouteId: ghost.RouteId! }))
    } finally {
      apigw.destroy()
    }
  })

  test('a name that resolves nowhere (an API id moto does not hold) is refused by the proxy, as NXDOMAIN would be', async () => {
    const unknown = 'wss://zzzzzzzzzz.execute-api.us-east-1.amazonaws.com/prod'
    await assert.rejects(client(unknown), /502 Bad Gateway/)
    await assert.rejects(client(url.replace(/\/prod$/, '/nope')), /Unexpected server response: 403/, 'an unknown stage')
  })

  test('verify succeeds through the proxy in process (the CA given) and in a child process (HTTPS_PROXY, NODE_EXTRA_CA_CERTS); NO_PROXY sends it direct, where the name does not resolve', async () => {
    const smoke = {
      message: '{"route":"whoami"}',
      expect: '"stage":"prod"',
      query: { token: 'letmein' },
      headers: { 'X-Client': 'edge-test' },
    }
    const lines: string[] = []
    const verified = await verifyEndpoint({
      url,
      smoke,
      env: proxyEnv(),
      extraCa: edge().ca,
      deadlineMs: 0,
      log: (l) => lines.push(l),
    })
    assert.equal(verified.attempts, 1)
    assert.match(verified.reply ?? '', /"domain":"[a-z0-9]+\.execute-api/)
    assert.deepEqual(lines, [`verify ${url}: through the proxy ${edge().proxyUrl} (HTTPS_PROXY)`])

    // Direct (NO_PROXY names the API's domain): moto's names resolve nowhere.
    await assert.rejects(
      verifyEndpoint({
        url,
        smoke,
        env: { ...proxyEnv(), NO_PROXY: '.amazonaws.com' },
        extraCa: edge().ca,
        deadlineMs: 0,
      }),
      (e: Error) => e instanceof VerifyError && /ENOTFOUND|EAI_AGAIN/.test(e.message),
    )

    const dir = await mkdtemp(path.join(tmpdir(), 'aws-edge-verify-'))
    try {
      const script = path.join(dir, 'verify.mts')
      const verifyModule = path.join(import.meta.dirname, '../src/verify.ts')
      await writeFile(
        script,
        `import { verifyEndpoint } from ${JSON.stringify(verifyModule)}\n` +
          `const out = await verifyEndpoint({ url: process.argv[2], smoke: JSON.parse(process.argv[3]), deadlineMs: 0, log: (l) => console.error(l) })\n` +
          `console.log(JSON.stringify(out))\n`,
      )
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? dir,
        https_proxy: edge().proxyUrl,
        NODE_EXTRA_CA_CERTS: edge().caFile,
      }
      const child = await runNode('--import', ['tsx', script, url, JSON.stringify(smoke)], {
        cwd: path.join(import.meta.dirname, '..'),
        env,
      }).done
      assert.equal(child.code, 0, child.stderr)
      assert.equal(JSON.parse(child.stdout).attempts, 1)
      assert.match(child.stderr, /through the proxy http:\/\/127\.0\.0\.1:\d+ \(https_proxy\)/)
      // The same child without the CA: the certificate is refused on the first attempt (TLS is checked in the tunnel).
      const untrusted = await runNode('--import', ['tsx', script, url, JSON.stringify(smoke)], {
        cwd: path.join(import.meta.dirname, '..'),
        env: { ...env, NODE_EXTRA_CA_CERTS: '' },
      }).done
      assert.notEqual(untrusted.code, 0)
      assert.match(untrusted.stderr, /does not work: .*(self-signed|unable to (get|verify)|certificate)/i)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('a custom domain serves only once Route 53 aliases it to the domain name, and verifies at its URL', async () => {
    const apigw = new ApiGatewayV2Client({})
    const route53 = new Route53Client({})
    try {
      const certificateArn = await importCertificate([DOMAIN, `other.${DOMAIN.split('.').slice(1).join('.')}`])
      const createDomain = (name: string) =>
        apigw.send(
          new CreateDomainNameCommand({
            DomainName: name,
            DomainNameConfigurations: [
              {
                CertificateArn: certificateArn,
                EndpointType: 'REGIONAL',
                SecurityPolicy: 'TLS_1_2',
              },
            ],
          }),
        )
      const domain = await createDomain(DOMAIN)
      const other = await createDomain(`other.${DOMAIN.split('.').slice(1).join('.')}`)
      await apigw.send(
        new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: apiId, Stage: 'prod', ApiMappingKey: '' }),
      )
      const custom = `wss://${DOMAIN}`

      assert.equal(await edge().resolve(DOMAIN), undefined, 'no record: the name does not resolve')
      await assert.rejects(client(custom), /502 Bad Gateway/)

      // API Gateway takes a moment to make a new domain name AVAILABLE (the shim's custom-domain rows answer UPDATING
      // for a read; moto answers no status): it serves only then, so wait as a deploy would.
      for (let reads = 0; ; reads++) {
        const read = await apigw.send(new GetDomainNameCommand({ DomainName: DOMAIN }))
        const status = read.DomainNameConfigurations?.[0]?.DomainNameStatus
        if (status === undefined || status === 'AVAILABLE') break
        assert.ok(reads < 20, `the domain name stays ${status}`)
      }
      // Without DNS (an edge for tests that make no hosted zone) the domain name serves at once.
      const noDns = await startEdge({ awsEndpoint: bed.shim.endpoint, resolveDomainsWithoutDns: true })
      try {
        assert.deepEqual(await noDns.resolve(DOMAIN), {
          kind: 'domain',
          host: DOMAIN,
          apiId,
          stage: 'prod',
          region: 'us-east-1',
        })
      } finally {
        await noDns.stop()
      }

      const zone = await route53.send(
        new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `edge-${Date.now()}` }),
      )
      const target = apiGatewayDomainNameOf(DOMAIN, domain.DomainNameConfigurations?.[0], 'us-east-1')
      const alias = (action: Change['Action'], dnsName: string): Change => ({
        Action: action,
        ResourceRecordSet: {
          Name: DOMAIN,
          Type: 'A',
          AliasTarget: { DNSName: dnsName, HostedZoneId: 'Z1UJRXOUMOOFQ8', EvaluateTargetHealth: false },
        },
      })
      // A record aliasing another domain name's target does not make this one serve.
      const otherTarget = apiGatewayDomainNameOf(other.DomainName!, other.DomainNameConfigurations?.[0], 'us-east-1')
      assert.notEqual(otherTarget, target)
      await route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zone.HostedZone!.Id,
          ChangeBatch: { Changes: [alias('UPSERT', otherTarget)] },
        }),
      )
      assert.equal(await edge().resolve(DOMAIN), undefined, 'an alias to another target')
      await route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zone.HostedZone!.Id,
          ChangeBatch: { Changes: [alias('UPSERT', target)] },
        }),
      )

      const viaDomain = await client(custom)
      sockets.push(viaDomain)
      viaDomain.send({ route: 'whoami' })
      const seen = await viaDomain.next()
      assert.deepEqual(seen, { id: seen.id, domain: DOMAIN, stage: 'prod' }, 'the events name the custom domain')
      const verified = await verifyEndpoint({
        url: custom,
        smoke: {
          message: '{"route":"whoami"}',
          expect: `"domain":"${DOMAIN}"`,
          query: { token: 'letmein' },
          headers: { 'X-Client': 'edge-test' },
        },
        env: proxyEnv(),
        extraCa: edge().ca,
        deadlineMs: 0,
      })
      assert.equal(verified.attempts, 1)

      // The record deleted: the name resolves nowhere again.
      await route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zone.HostedZone!.Id,
          ChangeBatch: { Changes: [alias('DELETE', target)] },
        }),
      )
      assert.equal(await edge().resolve(DOMAIN), undefined)
    } finally {
      apigw.destroy()
      route53.destroy()
    }
  })
})
