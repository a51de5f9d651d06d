// The shim's custom-domain rows (test/helpers/aws-shim-domains.ts): ACM, API Gateway v2 domain names and mappings,
// Route 53, driven by the real AWS SDK v3 clients against moto behind the shim.
import { after, before, beforeEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ACMClient, DescribeCertificateCommand, ListCertificatesCommand } from '@aws-sdk/client-acm'
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateApiMappingCommand,
  CreateDomainNameCommand,
  type CreateDomainNameCommandInput,
  CreateStageCommand,
  DeleteApiCommand,
  DeleteApiMappingCommand,
  DeleteDomainNameCommand,
  GetApiMappingCommand,
  GetApiMappingsCommand,
  GetDomainNameCommand,
  GetDomainNamesCommand,
  GetTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateApiMappingCommand,
  UpdateDomainNameCommand,
} from '@aws-sdk/client-apigatewayv2'
import {
  ChangeResourceRecordSetsCommand,
  type ChangeAction,
  CreateHostedZoneCommand,
  GetChangeCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53'
import { startMoto, type Moto } from './helpers/moto.ts'
import { startShim, type Shim } from './helpers/aws-shim.ts'
import { issueCertificate } from './helpers/acm-certificates.ts'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

let moto: Moto
let shim: Shim
const created: Array<{ destroy(): void }> = []

function aws(region = 'us-east-1') {
  const config = {
    endpoint: shim.endpoint,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  }
  const clients = { acm: new ACMClient(config), gw: new ApiGatewayV2Client(config), r53: new Route53Client(config) }
  created.push(...Object.values(clients))
  return clients
}

/** Asserts that `promise` rejects with the AWS error `name` and HTTP `status`; returns the error. */
async function rejectsWith(promise: Promise<unknown>, name: string, status: number): Promise<Error> {
  const error = await promise.then(
    () => assert.fail(`expected ${name}, got success`),
    (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number }; $response?: { headers: Json } },
  )
  assert.equal(error.name, name, error.message)
  assert.equal(error.$metadata?.httpStatusCode, status)
  return error
}
type Json = Record<string, any>

const DOMAIN = 'ws.example.com'
const domainInput = (certificateArn: string, domainName = DOMAIN): CreateDomainNameCommandInput => ({
  DomainName: domainName,
  DomainNameConfigurations: [{ CertificateArn: certificateArn, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }],
  Tags: { 'socket-action:service': 'echo' },
})

async function apiWithStage(gw: ApiGatewayV2Client, stage = 'prod'): Promise<string> {
  const api = await gw.send(
    new CreateApiCommand({ Name: 'echo', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.route' }),
  )
  await gw.send(new CreateStageCommand({ ApiId: api.ApiId, StageName: stage }))
  return api.ApiId ?? ''
}

before(async () => {
  moto = await startMoto()
  shim = await startShim({ target: moto.endpoint })
})

after(async () => {
  for (const client of created) client.destroy()
  await shim?.stop()
  await moto?.stop()
})

beforeEach(async () => {
  await moto.reset()
  shim.reset()
})

test('the call log names the custom-domain operations as reads and writes', async () => {
  shim.configure({ domainUpdatingReads: 0, changePendingReads: 0 })
  const { acm, gw, r53 } = aws()
  const arn = await issueCertificate(shim, DOMAIN)
  const apiId = await apiWithStage(gw)
  const zone = await r53.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: 'ref' }))
  shim.clearCalls()

  await acm.send(new ListCertificatesCommand({ Includes: { keyTypes: ['RSA_2048', 'EC_prime256v1'] } }))
  await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))
  const domain = await gw.send(new CreateDomainNameCommand(domainInput(arn)))
  await gw.send(new GetDomainNameCommand({ DomainName: DOMAIN }))
  await gw.send(new GetDomainNamesCommand({}))
  await gw.send(
    new UpdateDomainNameCommand({ DomainName: DOMAIN, DomainNameConfigurations: [{ CertificateArn: arn }] }),
  )
  await gw.send(new TagResourceCommand({ ResourceArn: domain.DomainNameArn, Tags: { a: 'b' } }))
  const mapping = await gw.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: apiId, Stage: 'prod' }))
  await gw.send(new GetApiMappingsCommand({ DomainName: DOMAIN }))
  await r53.send(new ListHostedZonesByNameCommand({ DNSName: 'example.com' }))
  await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone.HostedZone?.Id }))
  const change = await r53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zone.HostedZone?.Id,
      ChangeBatch: {
        Changes: [{ Action: 'CREATE', ResourceRecordSet: aliasTo(domain.DomainNameConfigurations?.[0]) }],
      },
    }),
  )
  await r53.send(new GetChangeCommand({ Id: change.ChangeInfo?.Id }))
  await gw.send(new DeleteApiMappingCommand({ DomainName: DOMAIN, ApiMappingId: mapping.ApiMappingId }))
  await gw.send(new DeleteDomainNameCommand({ DomainName: DOMAIN }))

  assert.deepEqual(
    shim.calls().map((c) => `${c.service} ${c.operation} ${c.kind} ${c.status}`),
    [
      'acm ListCertificates read 200',
      'acm DescribeCertificate read 200',
      'apigateway CreateDomainName write 201',
      'apigateway GetDomainName read 200',
      'apigateway GetDomainNames read 200',
      'apigateway UpdateDomainName write 200',
      'apigateway TagResource write 201',
      'apigateway CreateApiMapping write 201',
      'apigateway GetApiMappings read 200',
      'route53 ListHostedZonesByName read 200',
      'route53 ListResourceRecordSets read 200',
      'route53 ChangeResourceRecordSets write 200',
      'route53 GetChange read 200',
      'apigateway DeleteApiMapping write 204',
      'apigateway DeleteDomainName write 204',
    ],
  )
})

function aliasTo(configuration: Json | undefined, name = DOMAIN): ResourceRecordSet {
  return {
    Name: name,
    Type: 'A',
    AliasTarget: {
      HostedZoneId: configuration?.HostedZoneId,
      DNSName: configuration?.ApiGatewayDomainName,
      EvaluateTargetHealth: false,
    },
  }
}

describe('ACM', () => {
  test('ListCertificates lists RSA_1024/RSA_2048 only unless Includes.keyTypes says more, and filters by status', async () => {
    const { acm } = aws()
    const rsa = await issueCertificate(shim, DOMAIN, { sans: [`*.${DOMAIN}`] })
    const ec = await issueCertificate(shim, 'ec.example.com', { keyAlgorithm: 'EC_prime256v1' })
    const pending = await issueCertificate(shim, 'pending.example.com', { status: 'PENDING_VALIDATION' })

    const byDefault = await acm.send(new ListCertificatesCommand({}))
    assert.deepEqual(byDefault.CertificateSummaryList?.map((c) => c.CertificateArn).sort(), [rsa, pending].sort())

    const all = await acm.send(
      new ListCertificatesCommand({
        CertificateStatuses: ['ISSUED'],
        Includes: { keyTypes: ['RSA_1024', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_prime256v1', 'EC_secp384r1'] },
      }),
    )
    const summaries = new Map(all.CertificateSummaryList?.map((c) => [c.CertificateArn, c]))
    assert.deepEqual([...summaries.keys()].sort(), [rsa, ec].sort())
    assert.equal(summaries.get(ec)?.KeyAlgorithm, 'EC_prime256v1')
    assert.equal(summaries.get(ec)?.Type, 'IMPORTED')
    const summary = summaries.get(rsa)
    assert.equal(summary?.Status, 'ISSUED')
    assert.equal(summary?.Type, 'AMAZON_ISSUED')
    assert.deepEqual(summary?.SubjectAlternativeNameSummaries, [DOMAIN, `*.${DOMAIN}`])
    assert.equal(summary?.HasAdditionalSubjectAlternativeNames, false)
    assert.equal(summary?.InUse, false)
  })

  test('ListCertificates pages with MaxItems/NextToken and caps the names it summarises', async () => {
    shim.configure({ certificateSummaryNames: 2 })
    const { acm } = aws()
    const arns = [
      await issueCertificate(shim, 'a.example.com', { sans: ['b.example.com', 'c.example.com'] }),
      await issueCertificate(shim, 'd.example.com'),
      await issueCertificate(shim, 'e.example.com'),
    ]
    const seen: string[] = []
    let NextToken: string | undefined
    let pages = 0
    do {
      const page = await acm.send(new ListCertificatesCommand({ MaxItems: 2, NextToken }))
      assert.ok((page.CertificateSummaryList?.length ?? 0) <= 2)
      for (const summary of page.CertificateSummaryList ?? []) {
        seen.push(summary.CertificateArn ?? '')
        if (summary.DomainName === 'a.example.com') {
          assert.deepEqual(summary.SubjectAlternativeNameSummaries, ['a.example.com', 'b.example.com'])
          assert.equal(summary.HasAdditionalSubjectAlternativeNames, true)
        }
      }
      NextToken = page.NextToken
      pages += 1
    } while (NextToken)
    assert.equal(pages, 2)
    assert.deepEqual(seen.sort(), [...arns].sort())
    await rejectsWith(acm.send(new ListCertificatesCommand({ NextToken: 'garbage' })), 'InvalidArgsException', 400)
  })

  test('DescribeCertificate answers the status the test set and the domain names using the certificate', async () => {
    shim.configure({ domainUpdatingReads: 0 })
    const { acm, gw } = aws()
    const arn = await issueCertificate(shim, DOMAIN, { status: 'PENDING_VALIDATION' })
    let { Certificate } = await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))
    assert.equal(Certificate?.Status, 'PENDING_VALIDATION')
    assert.equal(Certificate?.DomainValidationOptions?.[0]?.ValidationStatus, 'PENDING_VALIDATION')

    shim.setCertificateStatus(arn, 'ISSUED')
    const domain = await gw.send(new CreateDomainNameCommand(domainInput(arn)))
    ;({ Certificate } = await acm.send(new DescribeCertificateCommand({ CertificateArn: arn })))
    assert.equal(Certificate?.Status, 'ISSUED')
    assert.equal(Certificate?.DomainValidationOptions?.[0]?.ValidationStatus, 'SUCCESS')
    assert.deepEqual(Certificate?.InUseBy, [domain.DomainNameArn])
    const listed = await acm.send(new ListCertificatesCommand({}))
    assert.equal(listed.CertificateSummaryList?.[0]?.InUse, true)
  })
})

describe('API Gateway v2 domain names', () => {
  test('CreateDomainName fills in the configuration AWS gives and is UPDATING for the first reads', async () => {
    shim.configure({ domainUpdatingReads: 2 })
    const { gw } = aws()
    const arn = await issueCertificate(shim, DOMAIN)
    const domain = await gw.send(new CreateDomainNameCommand(domainInput(arn)))
    assert.equal(domain.$metadata.httpStatusCode, 201)
    assert.equal(domain.DomainNameArn, `arn:aws:apigateway:us-east-1::/domainnames/${DOMAIN}`)
    const [configuration] = domain.DomainNameConfigurations ?? []
    assert.match(configuration?.ApiGatewayDomainName ?? '', /^d-[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com$/)
    assert.equal(configuration?.HostedZoneId, 'Z1UJRXOUMOOFQ8')
    assert.equal(configuration?.CertificateArn, arn)
    assert.equal(configuration?.EndpointType, 'REGIONAL')
    assert.equal(configuration?.SecurityPolicy, 'TLS_1_2')
    assert.equal(configuration?.DomainNameStatus, 'UPDATING')
    assert.ok(configuration?.DomainNameStatusMessage)

    const statuses: string[] = []
    for (let i = 0; i < 3; i++) {
      const read = await gw.send(new GetDomainNameCommand({ DomainName: DOMAIN }))
      statuses.push(read.DomainNameConfigurations?.[0]?.DomainNameStatus ?? '')
      assert.equal(read.DomainNameConfigurations?.[0]?.ApiGatewayDomainName, configuration?.ApiGatewayDomainName)
    }
    assert.deepEqual(statuses, ['UPDATING', 'UPDATING', 'AVAILABLE'])

    await rejectsWith(gw.send(new CreateDomainNameCommand(domainInput(arn))), 'ConflictException', 409)
  })

  test('the hosted zone is the region API Gateway answers from', async () => {
    const { gw } = aws('eu-west-1')
    const arn = await issueCertificate(shim, DOMAIN, { region: 'eu-west-1' })
    const domain = await gw.send(new CreateDomainNameCommand(domainInput(arn)))
    assert.equal(domain.DomainNameConfigurations?.[0]?.HostedZoneId, 'ZLY8HYME6SFDD')
    assert.match(domain.DomainNameConfigurations?.[0]?.ApiGatewayDomainName ?? '', /\.execute-api\.eu-west-1\./)
  })

  test('CreateDomainName refuses a certificate of another region, not issued, unknown, or not covering the name', async () => {
    const { gw } = aws()
    const elsewhere = await issueCertificate(shim, DOMAIN, { region: 'eu-west-1' })
    const pending = await issueCertificate(shim, DOMAIN, { status: 'PENDING_VALIDATION' })
    const other = await issueCertificate(shim, 'other.example.com')
    const wildcard = await issueCertificate(shim, '*.example.com')
    const refused = async (arn: string, domain = DOMAIN) =>
      (await rejectsWith(gw.send(new CreateDomainNameCommand(domainInput(arn, domain))), 'BadRequestException', 400))
        .message

    assert.equal(await refused(elsewhere), `Invalid certificate ARN: ${elsewhere}. Certificate must be in 'us-east-1'.`)
    assert.match(await refused(pending), /PENDING_VALIDATION.*ISSUED/)
    assert.match(await refused(other), /does not cover the domain name ws\.example\.com/)
    const unknown = other.replace(/certificate\/.*/, 'certificate/00000000-0000-0000-0000-000000000000')
    assert.match(await refused(unknown), /Invalid certificate ARN: .*not found/)
    assert.equal(
      await refused(other.replace('123456789012', '210987654321')),
      'Cross-account certificate references are not allowed.',
    )
    // A wildcard covers one label, not two.
    assert.match(await refused(wildcard, 'a.ws.example.com'), /does not cover/)
    const covered = await gw.send(new CreateDomainNameCommand(domainInput(wildcard)))
    assert.equal(covered.DomainNameConfigurations?.[0]?.CertificateArn, wildcard)
    await rejectsWith(gw.send(new GetDomainNameCommand({ DomainName: 'a.ws.example.com' })), 'NotFoundException', 404)
  })

  test('tags set later show in GetDomainName, GetDomainNames and GetTags; unknown names are AWS-shaped 404s', async () => {
    shim.configure({ domainUpdatingReads: 0 })
    const { gw } = aws()
    const arn = await issueCertificate(shim, DOMAIN)
    const domain = await gw.send(new CreateDomainNameCommand(domainInput(arn)))
    await gw.send(new TagResourceCommand({ ResourceArn: domain.DomainNameArn, Tags: { stage: 'prod' } }))
    const expected = { 'socket-action:service': 'echo', stage: 'prod' }
    assert.deepEqual((await gw.send(new GetDomainNameCommand({ DomainName: DOMAIN }))).Tags, expected)
    assert.deepEqual((await gw.send(new GetDomainNamesCommand({}))).Items?.[0]?.Tags, expected)
    assert.deepEqual((await gw.send(new GetTagsCommand({ ResourceArn: domain.DomainNameArn }))).Tags, expected)
    await gw.send(new UntagResourceCommand({ ResourceArn: domain.DomainNameArn, TagKeys: ['stage'] }))
    assert.deepEqual((await gw.send(new GetDomainNameCommand({ DomainName: DOMAIN }))).Tags, {
      'socket-action:service': 'echo',
    })

    const error = await rejectsWith(
      gw.send(new GetDomainNameCommand({ DomainName: 'nope.example.com' })),
      'NotFoundException',
      404,
    )
    assert.equal(error.message, 'Invalid domain name identifier specified')
    const headers = (error as unknown as { $response: { headers: Record<string, string> } }).$response.headers
    assert.equal(headers['x-amzn-errortype'], 'NotFoundException')
    await rejectsWith(
      gw.send(new TagResourceCommand({ ResourceArn: 'arn:aws:apigateway:us-east-1::/domainnames/nope', Tags: {} })),
      'NotFoundException',
      404,
    )
    await rejectsWith(
      gw.send(new DeleteDomainNameCommand({ DomainName: 'nope.example.com' })),
      'NotFoundException',
      404,
    )
  })

  test('GetDomainNames pages with MaxResults/NextToken and lists the region it is asked in', async () => {
    const { gw } = aws()
    const wildcard = await issueCertificate(shim, '*.example.com')
    const names = ['a.example.com', 'b.example.com', 'c.example.com']
    for (const name of names) await gw.send(new CreateDomainNameCommand(domainInput(wildcard, name)))
    const { gw: euGw } = aws('eu-west-1')
    const euArn = await issueCertificate(shim, 'eu.example.com', { region: 'eu-west-1' })
    await euGw.send(new CreateDomainNameCommand(domainInput(euArn, 'eu.example.com')))

    const seen: string[] = []
    let NextToken: string | undefined
    do {
      const page = await gw.send(new GetDomainNamesCommand({ MaxResults: '2', NextToken }))
      assert.ok((page.Items?.length ?? 0) <= 2)
      seen.push(...(page.Items ?? []).map((d) => d.DomainName ?? ''))
      NextToken = page.NextToken
    } while (NextToken)
    assert.deepEqual(seen.sort(), names)
  })

  test('UpdateDomainName changes the certificate, keeps the target, and is UPDATING again', async () => {
    shim.configure({ domainUpdatingReads: 1 })
    const { gw } = aws()
    const first = await issueCertificate(shim, DOMAIN)
    const second = await issueCertificate(shim, '*.example.com')
    const wrong = await issueCertificate(shim, 'other.example.com')
    const created = await gw.send(new CreateDomainNameCommand(domainInput(first)))
    await gw.send(new GetDomainNameCommand({ DomainName: DOMAIN })) // the one UPDATING read
    const available = await gw.send(new GetDomainNameCommand({ DomainName: DOMAIN }))
    assert.equal(available.DomainNameConfigurations?.[0]?.DomainNameStatus, 'AVAILABLE')

    await rejectsWith(
      gw.send(
        new UpdateDomainNameCommand({ DomainName: DOMAIN, DomainNameConfigurations: [{ CertificateArn: wrong }] }),
      ),
      'BadRequestException',
      400,
    )
    const updated = await gw.send(
      new UpdateDomainNameCommand({ DomainName: DOMAIN, DomainNameConfigurations: [{ CertificateArn: second }] }),
    )
    const [configuration] = updated.DomainNameConfigurations ?? []
    assert.equal(configuration?.CertificateArn, second)
    assert.equal(configuration?.DomainNameStatus, 'UPDATING')
    assert.equal(configuration?.ApiGatewayDomainName, created.DomainNameConfigurations?.[0]?.ApiGatewayDomainName)
    const read = await gw.send(new GetDomainNameCommand({ DomainName: DOMAIN }))
    assert.equal(read.DomainNameConfigurations?.[0]?.DomainNameStatus, 'UPDATING')
    assert.equal(read.DomainNameConfigurations?.[0]?.CertificateArn, second)
    await rejectsWith(
      gw.send(new UpdateDomainNameCommand({ DomainName: 'nope.example.com', DomainNameConfigurations: [] })),
      'NotFoundException',
      404,
    )
  })
})

describe('API Gateway v2 API mappings', () => {
  test('CreateApiMapping checks the domain, the API, the stage and the key', async () => {
    const { gw } = aws()
    const arn = await issueCertificate(shim, DOMAIN)
    await gw.send(new CreateDomainNameCommand(domainInput(arn)))
    const apiId = await apiWithStage(gw)

    const mapping = await gw.send(
      new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: apiId, Stage: 'prod', ApiMappingKey: '' }),
    )
    assert.equal(mapping.$metadata.httpStatusCode, 201)
    assert.match(mapping.ApiMappingId ?? '', /^[a-z0-9]{6}$/)
    assert.deepEqual(
      (await gw.send(new GetApiMappingsCommand({ DomainName: DOMAIN }))).Items?.map((m) => [m.ApiId, m.Stage]),
      [[apiId, 'prod']],
    )

    await rejectsWith(
      gw.send(new CreateApiMappingCommand({ DomainName: 'nope.example.com', ApiId: apiId, Stage: 'prod' })),
      'NotFoundException',
      404,
    )
    await rejectsWith(
      gw.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: 'nope', Stage: 'prod' })),
      'NotFoundException',
      404,
    )
    const noStage = await rejectsWith(
      gw.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: apiId, Stage: 'dev', ApiMappingKey: 'v2' })),
      'BadRequestException',
      400,
    )
    assert.equal(noStage.message, 'Invalid stage identifier specified')
    await gw.send(new CreateStageCommand({ ApiId: apiId, StageName: 'dev' }))
    const taken = await rejectsWith(
      gw.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: apiId, Stage: 'dev', ApiMappingKey: '' })),
      'ConflictException',
      409,
    )
    assert.equal(taken.message, 'ApiMapping key already exists for this domain name')
    await rejectsWith(gw.send(new GetApiMappingsCommand({ DomainName: 'nope.example.com' })), 'NotFoundException', 404)
  })

  test('UpdateApiMapping moves a mapping to another stage; the stage must exist and the key be free', async () => {
    const { gw } = aws()
    await gw.send(new CreateDomainNameCommand(domainInput(await issueCertificate(shim, DOMAIN))))
    const apiId = await apiWithStage(gw)
    await gw.send(new CreateStageCommand({ ApiId: apiId, StageName: 'dev' }))
    const root = await gw.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: apiId, Stage: 'prod' }))
    await gw.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: apiId, Stage: 'dev', ApiMappingKey: 'dev' }))

    await rejectsWith(
      gw.send(
        new UpdateApiMappingCommand({ DomainName: DOMAIN, ApiMappingId: root.ApiMappingId, ApiId: apiId, Stage: 'qa' }),
      ),
      'BadRequestException',
      400,
    )
    await rejectsWith(
      gw.send(
        new UpdateApiMappingCommand({
          DomainName: DOMAIN,
          ApiMappingId: root.ApiMappingId,
          ApiId: apiId,
          ApiMappingKey: 'dev',
        }),
      ),
      'ConflictException',
      409,
    )
    await rejectsWith(
      gw.send(new UpdateApiMappingCommand({ DomainName: DOMAIN, ApiMappingId: 'nope00', ApiId: apiId, Stage: 'dev' })),
      'NotFoundException',
      404,
    )
    const moved = await gw.send(
      new UpdateApiMappingCommand({ DomainName: DOMAIN, ApiMappingId: root.ApiMappingId, ApiId: apiId, Stage: 'dev' }),
    )
    assert.equal(moved.Stage, 'dev')
    const read = await gw.send(new GetApiMappingCommand({ DomainName: DOMAIN, ApiMappingId: root.ApiMappingId }))
    assert.deepEqual([read.Stage, read.ApiMappingKey], ['dev', ''])
  })

  test('a domain that maps a WebSocket API maps no HTTP API, and needs TLS_1_2', async () => {
    const { gw } = aws()
    const wildcard = await issueCertificate(shim, '*.example.com')
    await gw.send(new CreateDomainNameCommand(domainInput(wildcard)))
    await gw.send(
      new CreateDomainNameCommand({
        DomainName: 'old.example.com',
        DomainNameConfigurations: [{ CertificateArn: wildcard, SecurityPolicy: 'TLS_1_0' }],
      }),
    )
    const websocket = await apiWithStage(gw)
    const http = await gw.send(new CreateApiCommand({ Name: 'http', ProtocolType: 'HTTP' }))
    await gw.send(new CreateStageCommand({ ApiId: http.ApiId, StageName: 'prod' }))

    await rejectsWith(
      gw.send(new CreateApiMappingCommand({ DomainName: 'old.example.com', ApiId: websocket, Stage: 'prod' })),
      'BadRequestException',
      400,
    )
    await gw.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: websocket, Stage: 'prod' }))
    const mixed = await rejectsWith(
      gw.send(
        new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: http.ApiId, Stage: 'prod', ApiMappingKey: 'h' }),
      ),
      'BadRequestException',
      400,
    )
    assert.match(mixed.message, /WebSocket/)
    const other = await apiWithStage(gw)
    await gw.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: other, Stage: 'prod', ApiMappingKey: 'v2' }))
  })

  test('concurrent CreateApiMapping calls with one key: one wins, the others conflict', async () => {
    const { gw } = aws()
    await gw.send(new CreateDomainNameCommand(domainInput(await issueCertificate(shim, DOMAIN))))
    const apiId = await apiWithStage(gw)
    const outcomes = await Promise.allSettled(
      [1, 2, 3].map(() => gw.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: apiId, Stage: 'prod' }))),
    )
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1)
    for (const outcome of outcomes)
      if (outcome.status === 'rejected') assert.equal((outcome.reason as Error).name, 'ConflictException')
  })

  test('DeleteApi is refused while a domain maps the API; DeleteDomainName takes its mappings with it', async () => {
    const { gw } = aws()
    await gw.send(new CreateDomainNameCommand(domainInput(await issueCertificate(shim, DOMAIN))))
    const apiId = await apiWithStage(gw)
    const mapping = await gw.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: apiId, Stage: 'prod' }))

    const refused = await rejectsWith(gw.send(new DeleteApiCommand({ ApiId: apiId })), 'BadRequestException', 400)
    assert.equal(
      refused.message,
      `Deleting API ${apiId} failed. Please remove all API mappings for the API from your custom domain names.`,
    )
    await rejectsWith(
      gw.send(new DeleteApiMappingCommand({ DomainName: DOMAIN, ApiMappingId: 'nope00' })),
      'NotFoundException',
      404,
    )
    await rejectsWith(
      gw.send(new DeleteApiMappingCommand({ DomainName: 'nope.example.com', ApiMappingId: mapping.ApiMappingId })),
      'NotFoundException',
      404,
    )
    await gw.send(new DeleteApiMappingCommand({ DomainName: DOMAIN, ApiMappingId: mapping.ApiMappingId }))
    assert.deepEqual((await gw.send(new GetApiMappingsCommand({ DomainName: DOMAIN }))).Items, [])
    await gw.send(new DeleteApiCommand({ ApiId: apiId }))

    const other = await apiWithStage(gw)
    await gw.send(new CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: other, Stage: 'prod' }))
    const deleted = await gw.send(new DeleteDomainNameCommand({ DomainName: DOMAIN }))
    assert.equal(deleted.$metadata.httpStatusCode, 204)
    await rejectsWith(gw.send(new GetDomainNameCommand({ DomainName: DOMAIN })), 'NotFoundException', 404)
    await gw.send(new DeleteApiCommand({ ApiId: other })) // no mapping left to refuse it
  })
})

describe('Route 53', () => {
  async function zoneAndDomain() {
    shim.configure({ domainUpdatingReads: 0 })
    const clients = aws()
    const domain = await clients.gw.send(new CreateDomainNameCommand(domainInput(await issueCertificate(shim, DOMAIN))))
    const zone = await clients.r53.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: 'ref' }))
    const zoneId = zone.HostedZone?.Id ?? ''
    const change = (Action: ChangeAction, ResourceRecordSet: ResourceRecordSet) =>
      clients.r53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: { Changes: [{ Action, ResourceRecordSet }] },
        }),
      )
    return { ...clients, configuration: domain.DomainNameConfigurations?.[0], zoneId, change }
  }

  test('ChangeResourceRecordSets is PENDING with a new change id; GetChange turns INSYNC after N reads', async () => {
    const { r53, configuration, change } = await zoneAndDomain()
    shim.configure({ changePendingReads: 2 })
    const first = await change('CREATE', aliasTo(configuration))
    const second = await change('UPSERT', aliasTo(configuration))
    assert.equal(first.ChangeInfo?.Status, 'PENDING')
    assert.match(first.ChangeInfo?.Id ?? '', /^\/change\/C[A-Z0-9]{13}$/)
    assert.notEqual(first.ChangeInfo?.Id, second.ChangeInfo?.Id)
    assert.ok(first.ChangeInfo?.SubmittedAt instanceof Date)

    const statuses: string[] = []
    for (let i = 0; i < 3; i++)
      statuses.push((await r53.send(new GetChangeCommand({ Id: first.ChangeInfo?.Id }))).ChangeInfo?.Status ?? '')
    assert.deepEqual(statuses, ['PENDING', 'PENDING', 'INSYNC'])
    await rejectsWith(r53.send(new GetChangeCommand({ Id: '/change/CNOSUCHCHANGE0' })), 'NoSuchChange', 404)
  })

  test('CREATE of an existing record and DELETE of one that is missing or differs are InvalidChangeBatch', async () => {
    const { r53, configuration, zoneId, change } = await zoneAndDomain()
    await change('CREATE', aliasTo(configuration))
    const duplicate = await rejectsWith(
      change('CREATE', { Name: DOMAIN, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.1' }] }),
      'InvalidChangeBatch',
      400,
    )
    assert.equal(
      duplicate.message,
      "[Tried to create resource record set [name='ws.example.com.', type='A'] but it already exists]",
    )
    const missing = await rejectsWith(
      change('DELETE', aliasTo(configuration, 'x.example.com')),
      'InvalidChangeBatch',
      400,
    )
    assert.equal(
      missing.message,
      "[Tried to delete resource record set [name='x.example.com.', type='A'] but it was not found]",
    )
    const differs = await rejectsWith(
      change('DELETE', {
        ...aliasTo(configuration),
        AliasTarget: { ...aliasTo(configuration).AliasTarget!, EvaluateTargetHealth: true },
      }),
      'InvalidChangeBatch',
      400,
    )
    assert.match(differs.message, /but the values provided do not match the current values\]$/)

    // Listed as Route 53 lists it (fully qualified alias name), the record deletes exactly.
    const listed = await r53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: DOMAIN, StartRecordType: 'A' }),
    )
    const record = listed.ResourceRecordSets?.find((set) => set.Name === `${DOMAIN}.`)
    assert.equal(record?.AliasTarget?.DNSName, `${configuration?.ApiGatewayDomainName}.`)
    await change('DELETE', record as ResourceRecordSet)
    const after = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))
    assert.deepEqual(
      after.ResourceRecordSets?.map((set) => set.Type),
      ['NS', 'SOA'],
    )
  })

  test('ListHostedZonesByName lists every zone from DNSName on, labels reversed, MaxItems at a time', async () => {
    const { r53 } = aws()
    for (const [Name, CallerReference] of [
      ['example.com', 'a'],
      ['ws.example.com', 'b'],
      ['example.org', 'c'],
      ['zzz.example.com', 'd'],
      ['aaa.com', 'e'],
    ])
      await r53.send(new CreateHostedZoneCommand({ Name, CallerReference }))
    const names = async (DNSName?: string, MaxItems?: number) => {
      const listed = await r53.send(new ListHostedZonesByNameCommand({ DNSName, MaxItems }))
      return { names: listed.HostedZones?.map((zone) => zone.Name), listed }
    }
    assert.deepEqual((await names()).names, [
      'aaa.com.',
      'example.com.',
      'ws.example.com.',
      'zzz.example.com.',
      'example.org.',
    ])
    // Asked for ws.example.com, Route 53 starts there and goes on: the caller must check the names.
    assert.deepEqual((await names('ws.example.com')).names, ['ws.example.com.', 'zzz.example.com.', 'example.org.'])
    // A name without a zone of its own starts at the next one.
    assert.deepEqual((await names('api.example.com')).names, ['ws.example.com.', 'zzz.example.com.', 'example.org.'])
    const { names: first, listed } = await names('example.com', 2)
    assert.deepEqual(first, ['example.com.', 'ws.example.com.'])
    assert.equal(listed.IsTruncated, true)
    assert.equal(listed.NextDNSName, 'zzz.example.com.')
    const rest = await r53.send(
      new ListHostedZonesByNameCommand({
        DNSName: listed.NextDNSName,
        HostedZoneId: listed.NextHostedZoneId,
        MaxItems: 2,
      }),
    )
    assert.deepEqual(
      rest.HostedZones?.map((zone) => zone.Name),
      ['zzz.example.com.', 'example.org.'],
    )
    assert.equal(rest.IsTruncated, false)
  })

  test('concurrent CREATEs of one record: one is applied, the others are InvalidChangeBatch', async () => {
    const { r53, zoneId, change } = await zoneAndDomain()
    const outcomes = await Promise.allSettled(
      ['192.0.2.1', '192.0.2.2', '192.0.2.3'].map((Value) =>
        change('CREATE', { Name: 'api.example.com', Type: 'A', TTL: 60, ResourceRecords: [{ Value }] }),
      ),
    )
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1)
    for (const outcome of outcomes)
      if (outcome.status === 'rejected') assert.equal((outcome.reason as Error).name, 'InvalidChangeBatch')
    const listed = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))
    const records = listed.ResourceRecordSets?.filter((set) => set.Name === 'api.example.com.') ?? []
    assert.equal(records.length, 1)
    // The record as listed deletes; then it is gone.
    await change('DELETE', records[0] as ResourceRecordSet)
    const after = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))
    assert.equal(
      after.ResourceRecordSets?.some((set) => set.Name === 'api.example.com.'),
      false,
    )
  })

  test("an alias to an API Gateway domain needs its region's API Gateway zone and a domain that exists", async () => {
    const { configuration, change } = await zoneAndDomain()
    const wrongZone = await rejectsWith(
      change('CREATE', {
        ...aliasTo(configuration),
        AliasTarget: { ...aliasTo(configuration).AliasTarget!, HostedZoneId: 'ZLY8HYME6SFDD' },
      }),
      'InvalidChangeBatch',
      400,
    )
    const target = `${configuration?.ApiGatewayDomainName}.`
    assert.equal(
      wrongZone.message,
      `[Tried to create an alias that targets ${target}, type A in zone ZLY8HYME6SFDD, but the alias target name does not lie within the target zone, ` +
        `Tried to create an alias that targets ${target}, type A in zone ZLY8HYME6SFDD, but that target was not found]`,
    )
    const noTarget = await rejectsWith(
      change('CREATE', {
        ...aliasTo(configuration),
        AliasTarget: {
          ...aliasTo(configuration).AliasTarget!,
          DNSName: 'd-0000000000.execute-api.us-east-1.amazonaws.com',
        },
      }),
      'InvalidChangeBatch',
      400,
    )
    assert.match(noTarget.message, /but that target was not found\]$/)
    const created = await change('CREATE', aliasTo(configuration))
    assert.equal(created.$metadata.httpStatusCode, 200)
  })
})
