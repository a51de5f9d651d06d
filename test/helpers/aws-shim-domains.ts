// The shim's rows for custom domains: ACM certificates, API Gateway v2 domain names and API mappings, Route 53 records.
// aws-shim.ts composes them (startShim passes its moto client and error helpers in; this module imports nothing of
// its values, so neither module needs the other first).
//
// Where moto 5.2.5 differs from AWS (each checked against moto's code and by calling it through the AWS SDK v3):
//
// API Gateway v2 domain names and mappings: moto's support is too thin to patch, so the shim keeps them itself (moto
// still answers for APIs and stages, which a mapping must name):
// - CreateDomainName checks no certificate. AWS refuses (400 BadRequestException) an ARN in another region ("Invalid
//   certificate ARN: ... Certificate must be in '<region>'."), of another account ("Cross-account certificate
//   references are not allowed."), one ACM does not have, one not ISSUED, and one whose names do not cover the domain
//   (exact, or `*.` one label deep). The first two messages are AWS's as users report them; AWS's wording for the other
//   three was not found, so theirs is the shim's.
// - moto echoes DomainNameConfigurations as sent: no ApiGatewayDomainName (`d-<10 lowercase alnum>.execute-api.<region>
//   .amazonaws.com`), HostedZoneId (API Gateway's regional zone, from AWS's table of endpoints), DomainNameStatus, nor
//   default EndpointType REGIONAL / SecurityPolicy TLS_1_2. A new or updated domain name is UPDATING for
//   `domainUpdatingReads` reads of GetDomainName(s), then AVAILABLE (moto has no status at all).
// - UpdateDomainName is not implemented (500); DeleteDomainName of a domain with API mappings fails (500: moto changes
//   a dict while iterating it). AWS deletes the domain with its mappings (as third-party tools report; the API
//   reference says nothing either way), so the shim does.
// - TagResource/UntagResource/GetTags on a domain ARN (`arn:aws:apigateway:<region>::/domainnames/<name>`) answer
//   moto's 404 HTML page, so tags set later never show in GetDomainName's Tags; the shim keeps a domain's tags.
// - GetDomainName of an unknown name: AWS's message is "Invalid domain name identifier specified" (moto's differs).
// - GetDomainNames ignores MaxResults/NextToken; GetApiMappings of an unknown domain answers an empty list (AWS: 404).
// - CreateApiMapping checks no stage (AWS: 400 "Invalid stage identifier specified") and no key already mapped on the
//   domain (AWS: 409 "ApiMapping key already exists for this domain name"); its ids are a hash, so a mapping deleted
//   and made again comes back with the same id (AWS: a new one).
// - CreateApiMapping maps a WebSocket API to a domain that maps an HTTP API, or whose security policy is TLS_1_0; AWS's
//   considerations for WebSocket custom domains forbid both (its error wording was not found: the shim's).
// - DeleteApi of an API that a domain still maps succeeds (AWS: 400 "Deleting API <id> failed. Please remove all API
//   mappings for the API from your custom domain names.").
//
// ACM:
// - ListCertificates: without Includes.keyTypes AWS lists only RSA_1024 and RSA_2048 certificates (moto: every key
//   type); it ignores MaxItems/NextToken; its summaries lack SubjectAlternativeNameSummaries and
//   HasAdditionalSubjectAlternativeNames (AWS lists the first 100 names and sets the flag when there are more;
//   `certificateSummaryNames` lowers that cap so a test can reach it: AWS's default quota is 10 names a certificate).
// - RequestCertificate is PENDING_VALIDATION for 60 s, then ISSUED; moto never validates. Tests pick the status with
//   setCertificateStatus (see acm-certificates.ts: issueCertificate). InUseBy/InUse name the domain names using it.
// - SubjectAlternativeNames come back in any order (moto keeps a set); AWS keeps the requested order, domain first.
//
// Route 53:
// - ChangeResourceRecordSets is INSYNC at once, always with the change id /change/C2682N5HXP0BZ4; GetChange answers
//   INSYNC for any id. AWS: PENDING with a new id, INSYNC later (`changePendingReads` GetChange reads), and 404
//   NoSuchChange for an id it never gave.
// - CREATE of a name and type that exists with other values adds a second record set (AWS: InvalidChangeBatch "Tried
//   to create resource record set [name='..', type='..'] but it already exists"); DELETE of a record that is not there
//   succeeds (AWS: "... but it was not found"), and one whose values differ (AWS: "... but the values provided do not
//   match the current values") deletes it. The batch is checked change by change, as AWS does, before moto applies it.
// - Alias targets are not checked. For an API Gateway domain target AWS requires the API Gateway hosted zone of its
//   region ("... but the alias target name does not lie within the target zone", with "... but that target was not
//   found" after it) and a domain that exists ("... but that target was not found").
// - Alias DNS names are listed as sent; AWS lists them fully qualified (a trailing dot) in lower case.
// - ListHostedZonesByName with a DNSName answers only the zones of exactly that name, unpaged; AWS lists every zone
//   from that name on, in order of the names with their labels reversed, 100 (MaxItems) at a time.
//
// For engine tests: shim.configure({ domainUpdatingReads, changePendingReads, certificateSummaryNames }) (DomainOptions
// below), shim.setCertificateStatus(arn, status), issueCertificate() in acm-certificates.ts, API_GATEWAY_HOSTED_ZONES.
// The call log names every operation of DOMAIN_ROUTES (and ACM's by its X-Amz-Target); Create*/Update*/Delete*,
// TagResource/UntagResource, ChangeResourceRecordSets, RequestCertificate, ImportCertificate count as writes, and
// Get*/List*/Describe* (GetDomainName(s), GetApiMappings, GetTags, ListCertificates, DescribeCertificate,
// ListHostedZonesByName, ListResourceRecordSets, GetChange) as reads.
import { randomBytes } from 'node:crypto'
import type { Call, Reply } from './aws-shim.ts'

export interface DomainOptions {
  /** GetDomainName/GetDomainNames reads answering UPDATING after CreateDomainName or UpdateDomainName (default 1). */
  domainUpdatingReads: number
  /** GetChange reads answering PENDING after ChangeResourceRecordSets (default 1). */
  changePendingReads: number
  /** How many names ListCertificates summarises before HasAdditionalSubjectAlternativeNames (AWS: 100). */
  certificateSummaryNames: number
}

export const DOMAIN_DEFAULTS: DomainOptions = {
  domainUpdatingReads: 1,
  changePendingReads: 1,
  certificateSummaryNames: 100,
}

export type CertificateStatus =
  | 'PENDING_VALIDATION'
  | 'ISSUED'
  | 'INACTIVE'
  | 'EXPIRED'
  | 'VALIDATION_TIMED_OUT'
  | 'REVOKED'
  | 'FAILED'

/** API Gateway's Route 53 hosted zones for regional endpoints, from AWS's table of API Gateway endpoints. */
export const API_GATEWAY_HOSTED_ZONES: Record<string, string> = {
  'us-east-1': 'Z1UJRXOUMOOFQ8',
  'us-east-2': 'ZOJJZC49E0EPZ',
  'us-west-1': 'Z2MUQ32089INYE',
  'us-west-2': 'Z2OJLYMUO9EFXC',
  'ca-central-1': 'Z19DQILCV0OWEC',
  'eu-west-1': 'ZLY8HYME6SFDD',
  'eu-west-2': 'ZJ5UAJN8Y3Z2Q',
  'eu-west-3': 'Z3KY65QIEKYHQQ',
  'eu-central-1': 'Z1U9ULNL0V5AJ3',
  'ap-south-1': 'Z3VO1THU9YC4UR',
  'ap-northeast-1': 'Z1YSHQZHG15GKL',
  'ap-northeast-2': 'Z20JF4UZKIW1U8',
  'ap-southeast-1': 'ZL327KTPIQFUL',
  'ap-southeast-2': 'Z2RPCDW04V8134',
  'sa-east-1': 'ZCMLWB8V5SYIT',
}

/** [method, path pattern, operation] for the REST services of these rows; aws-shim.ts adds them to its routes. */
export const DOMAIN_ROUTES: Record<string, Array<[string, string, string]>> = {
  apigateway: [
    ['POST', '/v2/domainnames', 'CreateDomainName'],
    ['GET', '/v2/domainnames', 'GetDomainNames'],
    ['GET', '/v2/domainnames/{domainName}', 'GetDomainName'],
    ['PATCH', '/v2/domainnames/{domainName}', 'UpdateDomainName'],
    ['DELETE', '/v2/domainnames/{domainName}', 'DeleteDomainName'],
    ['POST', '/v2/domainnames/{domainName}/apimappings', 'CreateApiMapping'],
    ['GET', '/v2/domainnames/{domainName}/apimappings', 'GetApiMappings'],
    ['GET', '/v2/domainnames/{domainName}/apimappings/{mappingId}', 'GetApiMapping'],
    ['PATCH', '/v2/domainnames/{domainName}/apimappings/{mappingId}', 'UpdateApiMapping'],
    ['DELETE', '/v2/domainnames/{domainName}/apimappings/{mappingId}', 'DeleteApiMapping'],
  ],
  route53: [
    ['POST', '/2013-04-01/hostedzone', 'CreateHostedZone'],
    ['GET', '/2013-04-01/hostedzone', 'ListHostedZones'],
    ['GET', '/2013-04-01/hostedzone/{zoneId}', 'GetHostedZone'],
    ['DELETE', '/2013-04-01/hostedzone/{zoneId}', 'DeleteHostedZone'],
    ['POST', '/2013-04-01/hostedzone/{zoneId}/rrset', 'ChangeResourceRecordSets'],
    ['GET', '/2013-04-01/hostedzone/{zoneId}/rrset', 'ListResourceRecordSets'],
    ['GET', '/2013-04-01/hostedzonesbyname', 'ListHostedZonesByName'],
    ['GET', '/2013-04-01/change/{changeId}', 'GetChange'],
    ['POST', '/2013-04-01/tags/hostedzone/{zoneId}', 'ChangeTagsForResource'],
    ['GET', '/2013-04-01/tags/hostedzone/{zoneId}', 'ListTagsForResource'],
  ],
}

/** What startShim lends these rows. */
export interface DomainKit {
  settings(): DomainOptions
  forward(call: Call): Promise<Reply>
  /** A GET to moto with the call's credentials. */
  lookup(call: Call, path: string): Promise<Reply>
  requestMoto(method: string, url: string, headers: Call['headers'], body?: Buffer): Promise<Reply>
  awsError(service: string, status: number, errorType: string, message: string): Reply
  jsonReply(status: number, body: unknown): Reply
}

type Json = Record<string, any>
type Hook = (call: Call) => Promise<Reply>

interface DomainName {
  region: string
  domainName: string
  arn: string
  configurations: Json[]
  mutualTlsAuthentication?: Json
  tags: Record<string, string>
  updatingReads: number
}

interface ApiMapping {
  apiId: string
  apiMappingId: string
  apiMappingKey: string
  stage: string
}

const isOk = (reply: Reply) => reply.status >= 200 && reply.status < 300
const parse = (data: string | Buffer): Json => JSON.parse(data.toString() || '{}')
const ACCOUNT = process.env.MOTO_ACCOUNT_ID ?? '123456789012'
const ROUTE53_NS = 'https://route53.amazonaws.com/doc/2013-04-01/'
const alnum = (length: number, alphabet: string) =>
  [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('')
const lowerAlnum = (length: number) => alnum(length, 'abcdefghijklmnopqrstuvwxyz0123456789')
const upperAlnum = (length: number) => alnum(length, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')
const fqdn = (name: string) => `${name.toLowerCase().replace(/\.$/, '')}.`

/** True when a certificate name (exact, or `*.` for one label) covers `domain`. */
export function nameCovers(certificateName: string, domain: string): boolean {
  const name = certificateName.toLowerCase().replace(/\.$/, '')
  const host = domain.toLowerCase().replace(/\.$/, '')
  if (name === host) return true
  if (!name.startsWith('*.')) return false
  const dot = host.indexOf('.')
  return dot > 0 && host.slice(dot + 1) === name.slice(2)
}

export function domainRows(kit: DomainKit) {
  const domains = new Map<string, DomainName>()
  const mappings = new Map<string, ApiMapping[]>()
  /** The protocol type of the API each mapping maps (not part of what AWS answers for a mapping). */
  const protocols = new WeakMap<ApiMapping, string>()
  const certificateStatuses = new Map<string, CertificateStatus>()
  /** The names a RequestCertificate gave, in its order (moto keeps them in a set: any order). */
  const requestedNames = new Map<string, string[]>()
  /** Route 53 changes the shim gave ids to: GetChange reads still PENDING, and when they were submitted. */
  const changes = new Map<string, { pendingReads: number; submittedAt: string }>()

  const domainKey = (region: string, name: string) => `${region}/${name.toLowerCase()}`
  const gwError = (status: number, type: string, message: string) => kit.awsError('apigateway', status, type, message)
  const badRequest = (message: string) => gwError(400, 'BadRequestException', message)
  const notFound = (message: string) => gwError(404, 'NotFoundException', message)
  const unknownDomain = () => notFound('Invalid domain name identifier specified')
  const domainOf = (call: Call) => domains.get(domainKey(call.region, call.params.domainName ?? ''))

  // --- ACM --------------------------------------------------------------------------------------------------

  /** An ACM operation to moto in `region` (moto reads the region from the credential scope, never the signature). */
  const acm = (call: Call, region: string, operation: string, input: Json) =>
    kit.requestMoto(
      'POST',
      '/',
      {
        ...call.headers,
        authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/acm/aws4_request, SignedHeaders=host, Signature=0`,
        'x-amz-target': `CertificateManager.${operation}`,
        'content-type': 'application/x-amz-json-1.1',
      },
      Buffer.from(JSON.stringify(input)),
    )

  const inUseBy = (arn: string) =>
    [...domains.values()]
      .filter((domain) => domain.configurations.some((c) => c.certificateArn === arn))
      .map((domain) => domain.arn)

  /** A DescribeCertificate document with the status a test set and the domain names using it. */
  function certificateView(certificate: Json): Json {
    const status = certificateStatuses.get(certificate.CertificateArn)
    if (status) {
      certificate.Status = status
      for (const option of certificate.DomainValidationOptions ?? [])
        option.ValidationStatus =
          status === 'ISSUED' ? 'SUCCESS' : status === 'FAILED' ? 'FAILED' : 'PENDING_VALIDATION'
      if (status !== 'ISSUED' && certificate.Type !== 'IMPORTED') delete certificate.IssuedAt
    }
    certificate.InUseBy = inUseBy(certificate.CertificateArn)
    const order = requestedNames.get(certificate.CertificateArn)
    if (order && Array.isArray(certificate.SubjectAlternativeNames)) {
      const rank = (name: string) => (order.indexOf(name) + order.length + 1) % (order.length + 1)
      certificate.SubjectAlternativeNames.sort((a: string, b: string) => rank(a) - rank(b))
    }
    return certificate
  }

  /** RequestCertificate: remembers the order of the names, which AWS keeps (the domain name first). */
  async function requestCertificate(call: Call): Promise<Reply> {
    const reply = await kit.forward(call)
    if (!isOk(reply)) return reply
    const input = parse(call.body)
    const names = [input.DomainName, ...(input.SubjectAlternativeNames ?? [])].filter(
      (name, i, all) => typeof name === 'string' && all.indexOf(name) === i,
    )
    requestedNames.set(parse(reply.body).CertificateArn, names)
    return reply
  }

  async function describeCertificate(call: Call): Promise<Reply> {
    const reply = await kit.forward(call)
    if (!isOk(reply)) return reply
    const json = parse(reply.body)
    if (json.Certificate) certificateView(json.Certificate)
    return kit.jsonReply(200, json)
  }

  async function listCertificates(call: Call): Promise<Reply> {
    const input = parse(call.body)
    const listed = await acm(call, call.region, 'ListCertificates', {})
    if (!isOk(listed)) return listed
    const statuses: string[] | undefined = input.CertificateStatuses?.length ? input.CertificateStatuses : undefined
    const keyTypes: string[] = input.Includes?.keyTypes?.length ? input.Includes.keyTypes : ['RSA_1024', 'RSA_2048']
    const summaries: Json[] = []
    for (const listedSummary of parse(listed.body).CertificateSummaryList ?? []) {
      const described = await acm(call, call.region, 'DescribeCertificate', {
        CertificateArn: listedSummary.CertificateArn,
      })
      if (!isOk(described)) continue
      const certificate = certificateView(parse(described.body).Certificate ?? {})
      if (statuses && !statuses.includes(certificate.Status)) continue
      if (!keyTypes.includes(certificate.KeyAlgorithm)) continue
      if (input.Includes?.exportOption && input.Includes.exportOption !== certificate.Options?.Export) continue
      const names: string[] = certificate.SubjectAlternativeNames ?? [certificate.DomainName]
      const cap = kit.settings().certificateSummaryNames
      const summary: Json = {
        CertificateArn: certificate.CertificateArn,
        DomainName: certificate.DomainName,
        SubjectAlternativeNameSummaries: names.slice(0, cap),
        HasAdditionalSubjectAlternativeNames: names.length > cap,
        Status: certificate.Status,
        Type: certificate.Type,
        KeyAlgorithm: certificate.KeyAlgorithm,
        KeyUsages: certificate.KeyUsages ?? [],
        ExtendedKeyUsages: certificate.ExtendedKeyUsages ?? [],
        InUse: certificate.InUseBy.length > 0,
        Exported: listedSummary.Exported ?? false,
        RenewalEligibility: certificate.RenewalEligibility,
      }
      for (const field of ['NotBefore', 'NotAfter', 'CreatedAt', 'IssuedAt', 'ImportedAt', 'RevokedAt'])
        if (certificate[field] !== undefined) summary[field] = certificate[field]
      summaries.push(summary)
    }
    const start = input.NextToken ? Number(Buffer.from(String(input.NextToken), 'base64url').toString()) : 0
    if (!Number.isInteger(start) || start < 0 || start > summaries.length)
      return kit.awsError('acm', 400, 'InvalidArgsException', 'The NextToken is not valid.')
    const max = input.MaxItems ?? 1000
    const page = summaries.slice(start, start + max)
    const body: Json = { CertificateSummaryList: page }
    if (start + max < summaries.length) body.NextToken = Buffer.from(String(start + max)).toString('base64url')
    return kit.jsonReply(200, body)
  }

  /** Why API Gateway refuses `arn` for `domain` in the call's region, or undefined when it accepts it. */
  async function refuseCertificate(call: Call, arn: unknown, domain: string): Promise<Reply | undefined> {
    if (typeof arn !== 'string' || arn === '') return badRequest('A certificate ARN must be given for the domain name.')
    const [, , service, region, account] = arn.split(':')
    if (service !== 'acm' || !/:certificate\/[^/]+$/.test(arn)) return badRequest(`Invalid certificate ARN: ${arn}.`)
    if (region !== call.region)
      return badRequest(`Invalid certificate ARN: ${arn}. Certificate must be in '${call.region}'.`)
    if (account !== ACCOUNT) return badRequest('Cross-account certificate references are not allowed.')
    const described = await acm(call, region, 'DescribeCertificate', { CertificateArn: arn })
    if (!isOk(described)) return badRequest(`Invalid certificate ARN: ${arn}. Certificate not found in ACM.`)
    const certificate = certificateView(parse(described.body).Certificate ?? {})
    if (certificate.Status !== 'ISSUED')
      return badRequest(`Certificate ${arn} is ${certificate.Status}; API Gateway needs an ISSUED certificate.`)
    const names: string[] = [certificate.DomainName, ...(certificate.SubjectAlternativeNames ?? [])]
    if (!names.some((name) => typeof name === 'string' && nameCovers(name, domain)))
      return badRequest(`Certificate ${arn} does not cover the domain name ${domain}.`)
    return undefined
  }

  // --- API Gateway v2: domain names ---------------------------------------------------------------------------

  /** The domain as GetDomainName answers it; counts one read of its UPDATING status when `read`. */
  function domainView(domain: DomainName, read: boolean): Json {
    const updating = domain.updatingReads > 0
    if (read && updating) domain.updatingReads -= 1
    return {
      apiMappingSelectionExpression: '$request.basepath',
      domainName: domain.domainName,
      domainNameArn: domain.arn,
      domainNameConfigurations: domain.configurations.map((configuration) => ({
        ...configuration,
        domainNameStatus: updating ? 'UPDATING' : 'AVAILABLE',
        ...(updating ? { domainNameStatusMessage: 'The domain name is being updated (aws-shim).' } : {}),
      })),
      ...(domain.mutualTlsAuthentication ? { mutualTlsAuthentication: domain.mutualTlsAuthentication } : {}),
      tags: { ...domain.tags },
    }
  }

  /** The configurations to keep: AWS's defaults and the target it gives, checked certificates. */
  async function configure(call: Call, domainName: string, given: unknown, old?: Json[]): Promise<Json[] | Reply> {
    if (!Array.isArray(given) || given.length !== 1)
      return badRequest('Invalid input. Expected one domain name configuration')
    const configurations: Json[] = []
    for (const [i, configuration] of (given as Json[]).entries()) {
      const endpointType = configuration.endpointType ?? 'REGIONAL'
      if (endpointType !== 'REGIONAL') return badRequest(`Unsupported endpoint type ${endpointType} (aws-shim).`)
      const refused = await refuseCertificate(call, configuration.certificateArn, domainName)
      if (refused) return refused
      configurations.push({
        ...configuration,
        endpointType,
        securityPolicy: configuration.securityPolicy ?? 'TLS_1_2',
        apiGatewayDomainName:
          old?.[i]?.apiGatewayDomainName ?? `d-${lowerAlnum(10)}.execute-api.${call.region}.amazonaws.com`,
        hostedZoneId: API_GATEWAY_HOSTED_ZONES[call.region] ?? `ZSHIM${upperAlnum(9)}`,
      })
    }
    return configurations
  }

  async function createDomainName(call: Call): Promise<Reply> {
    const input = parse(call.body)
    const name = String(input.domainName ?? '')
    if (!name) return badRequest('Invalid domain name: the domainName is required.')
    if (domains.has(domainKey(call.region, name)))
      return gwError(409, 'ConflictException', 'The domain name resource already exists.')
    const configurations = await configure(call, name, input.domainNameConfigurations)
    if (!Array.isArray(configurations)) return configurations
    const domain: DomainName = {
      region: call.region,
      domainName: name,
      arn: `arn:aws:apigateway:${call.region}::/domainnames/${name}`,
      configurations,
      mutualTlsAuthentication: input.mutualTlsAuthentication,
      tags: { ...(input.tags ?? {}) },
      updatingReads: kit.settings().domainUpdatingReads,
    }
    domains.set(domainKey(call.region, name), domain)
    mappings.set(domainKey(call.region, name), [])
    return kit.jsonReply(201, domainView(domain, false))
  }

  async function getDomainName(call: Call): Promise<Reply> {
    const domain = domainOf(call)
    return domain ? kit.jsonReply(200, domainView(domain, true)) : unknownDomain()
  }

  /** Pages of MaxResults items (AWS's NextToken is opaque; this one is an offset). */
  function paged(call: Call, items: Json[]): Reply {
    const query = new URL(call.url, 'http://shim').searchParams
    const start = query.get('nextToken') ? Number(Buffer.from(query.get('nextToken') ?? '', 'base64url').toString()) : 0
    if (!Number.isInteger(start) || start < 0 || start > items.length)
      return badRequest('Invalid pagination token specified')
    const max = Number(query.get('maxResults') ?? 0) || items.length || 1
    const body: Json = { items: items.slice(start, start + max) }
    if (start + max < items.length) body.nextToken = Buffer.from(String(start + max)).toString('base64url')
    return kit.jsonReply(200, body)
  }

  async function getDomainNames(call: Call): Promise<Reply> {
    const regional = [...domains.values()].filter((domain) => domain.region === call.region)
    return paged(
      call,
      regional.map((domain) => domainView(domain, true)),
    )
  }

  async function updateDomainName(call: Call): Promise<Reply> {
    const domain = domainOf(call)
    if (!domain) return unknownDomain()
    const input = parse(call.body)
    if (input.domainNameConfigurations !== undefined) {
      const configurations = await configure(
        call,
        domain.domainName,
        input.domainNameConfigurations,
        domain.configurations,
      )
      if (!Array.isArray(configurations)) return configurations
      domain.configurations = configurations
    }
    if (input.mutualTlsAuthentication !== undefined) domain.mutualTlsAuthentication = input.mutualTlsAuthentication
    domain.updatingReads = kit.settings().domainUpdatingReads
    return kit.jsonReply(200, domainView(domain, false))
  }

  async function deleteDomainName(call: Call): Promise<Reply> {
    const domain = domainOf(call)
    if (!domain) return unknownDomain()
    domains.delete(domainKey(domain.region, domain.domainName))
    mappings.delete(domainKey(domain.region, domain.domainName))
    return { status: 204, headers: { 'x-amzn-RequestId': lowerAlnum(32) }, body: '' }
  }

  // --- API Gateway v2: tags on domain names ---------------------------------------------------------------------

  const domainByArn = (arn: string) => {
    const match = /^arn:aws:apigateway:([^:]+)::\/domainnames\/([^/]+)$/.exec(arn)
    return match ? domains.get(domainKey(match[1] ?? '', match[2] ?? '')) : undefined
  }
  const isDomainArn = (arn: string) => arn.includes('::/domainnames/')
  const arnOf = (call: Call) => decodeURIComponent(call.params.arn ?? '')
  const unknownResource = (arn: string) => notFound(`Invalid resource identifier specified ${arn}`)

  const tagResource: Hook = async (call) => {
    const arn = arnOf(call)
    if (!isDomainArn(arn)) return kit.forward(call)
    const domain = domainByArn(arn)
    if (!domain) return unknownResource(arn)
    Object.assign(domain.tags, parse(call.body).tags ?? {})
    return kit.jsonReply(201, {})
  }

  const untagResource: Hook = async (call) => {
    const arn = arnOf(call)
    if (!isDomainArn(arn)) return kit.forward(call)
    const domain = domainByArn(arn)
    if (!domain) return unknownResource(arn)
    for (const key of new URL(call.url, 'http://shim').searchParams.getAll('tagKeys')) delete domain.tags[key]
    return { status: 204, headers: { 'x-amzn-RequestId': lowerAlnum(32) }, body: '' }
  }

  const getTags: Hook = async (call) => {
    const arn = arnOf(call)
    if (!isDomainArn(arn)) return kit.forward(call)
    const domain = domainByArn(arn)
    return domain ? kit.jsonReply(200, { tags: { ...domain.tags } }) : unknownResource(arn)
  }

  // --- API Gateway v2: API mappings -----------------------------------------------------------------------------

  const mappingsOf = (call: Call) => mappings.get(domainKey(call.region, call.params.domainName ?? '')) ?? []
  const unknownMapping = (id: string) => notFound(`Invalid ApiMapping identifier specified ${id}`)

  async function createApiMapping(call: Call): Promise<Reply> {
    if (!domainOf(call)) return unknownDomain()
    const input = parse(call.body)
    const apiId = String(input.apiId ?? '')
    const key = String(input.apiMappingKey ?? '')
    const api = await kit.lookup(call, `/v2/apis/${encodeURIComponent(apiId)}`)
    if (!isOk(api)) return notFound(`Invalid API identifier specified ${apiId}`)
    if (/^\/|\/\/|\/$/.test(key)) return badRequest(`Invalid ApiMapping key specified: ${key}`)
    const stage = await kit.lookup(
      call,
      `/v2/apis/${encodeURIComponent(apiId)}/stages/${encodeURIComponent(String(input.stage ?? ''))}`,
    )
    if (!isOk(stage)) return badRequest('Invalid stage identifier specified')
    // AWS's considerations for WebSocket APIs: a domain mapping one maps no REST or HTTP API, and only TLS 1.2.
    const protocol = String(parse(api.body).protocolType ?? '')
    const existing = mappingsOf(call)
    const mixed = existing.find((mapping) => (protocols.get(mapping) === 'WEBSOCKET') !== (protocol === 'WEBSOCKET'))
    if (mixed)
      return badRequest(
        `Domain name ${call.params.domainName} maps ${protocols.get(mixed)} API ${mixed.apiId}: a domain name that maps a WebSocket API can map no other kind of API (aws-shim wording).`,
      )
    const policy = domainOf(call)?.configurations[0]?.securityPolicy
    if (protocol === 'WEBSOCKET' && policy !== 'TLS_1_2')
      return badRequest(
        `A WebSocket API needs a domain name with security policy TLS_1_2, not ${policy} (aws-shim wording).`,
      )
    if (existing.some((mapping) => mapping.apiMappingKey === key))
      return gwError(409, 'ConflictException', 'ApiMapping key already exists for this domain name')
    const mapping: ApiMapping = { apiId, apiMappingId: lowerAlnum(6), apiMappingKey: key, stage: String(input.stage) }
    protocols.set(mapping, protocol)
    existing.push(mapping)
    return kit.jsonReply(201, mapping)
  }

  async function getApiMappings(call: Call): Promise<Reply> {
    if (!domainOf(call)) return unknownDomain()
    return paged(
      call,
      mappingsOf(call).map((mapping) => ({ ...mapping })),
    )
  }

  async function getApiMapping(call: Call): Promise<Reply> {
    if (!domainOf(call)) return unknownDomain()
    const mapping = mappingsOf(call).find((m) => m.apiMappingId === call.params.mappingId)
    return mapping ? kit.jsonReply(200, mapping) : unknownMapping(call.params.mappingId ?? '')
  }

  async function updateApiMapping(call: Call): Promise<Reply> {
    if (!domainOf(call)) return unknownDomain()
    const mapping = mappingsOf(call).find((m) => m.apiMappingId === call.params.mappingId)
    if (!mapping) return unknownMapping(call.params.mappingId ?? '')
    const input = parse(call.body)
    const apiId = String(input.apiId ?? mapping.apiId)
    const stageName = String(input.stage ?? mapping.stage)
    const key = input.apiMappingKey === undefined ? mapping.apiMappingKey : String(input.apiMappingKey)
    const stage = await kit.lookup(
      call,
      `/v2/apis/${encodeURIComponent(apiId)}/stages/${encodeURIComponent(stageName)}`,
    )
    if (!isOk(stage)) return badRequest('Invalid stage identifier specified')
    if (mappingsOf(call).some((m) => m !== mapping && m.apiMappingKey === key))
      return gwError(409, 'ConflictException', 'ApiMapping key already exists for this domain name')
    Object.assign(mapping, { apiId, stage: stageName, apiMappingKey: key })
    return kit.jsonReply(200, mapping)
  }

  async function deleteApiMapping(call: Call): Promise<Reply> {
    if (!domainOf(call)) return unknownDomain()
    const existing = mappingsOf(call)
    const index = existing.findIndex((m) => m.apiMappingId === call.params.mappingId)
    if (index < 0) return unknownMapping(call.params.mappingId ?? '')
    existing.splice(index, 1)
    return { status: 204, headers: { 'x-amzn-RequestId': lowerAlnum(32) }, body: '' }
  }

  /** DeleteApi: refused while a domain name in its region maps the API, as on AWS. */
  const guardDeleteApi =
    (next: Hook): Hook =>
    async (call) => {
      const apiId = call.params.id ?? ''
      const mapped = [...mappings.entries()].some(
        ([key, list]) => key.startsWith(`${call.region}/`) && list.some((mapping) => mapping.apiId === apiId),
      )
      if (mapped)
        return badRequest(
          `Deleting API ${apiId} failed. Please remove all API mappings for the API from your custom domain names.`,
        )
      return next(call)
    }

  // --- Route 53 ---------------------------------------------------------------------------------------------

  const r53Error = (status: number, code: string, message: string) => kit.awsError('route53', status, code, message)
  const invalidBatch = (messages: string[]) => r53Error(400, 'InvalidChangeBatch', `[${messages.join(', ')}]`)

  function changeInfoXml(root: string, id: string, status: string, submittedAt: string): Reply {
    return {
      status: 200,
      headers: { 'content-type': 'text/xml', 'x-amzn-RequestId': lowerAlnum(32) },
      body:
        `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${ROUTE53_NS}"><ChangeInfo><Id>/change/${id}</Id>` +
        `<Status>${status}</Status><SubmittedAt>${submittedAt}</SubmittedAt></ChangeInfo></${root}>`,
    }
  }

  /** The zone's record sets as moto holds them. */
  async function recordSets(call: Call, zoneId: string): Promise<RecordSet[] | Reply> {
    const listed = await kit.lookup(call, `/2013-04-01/hostedzone/${encodeURIComponent(zoneId)}/rrset?maxitems=10000`)
    if (!isOk(listed)) return listed
    return children(parseXml(listed.body.toString()), 'ResourceRecordSets', 'ResourceRecordSet').map(recordSet)
  }

  /**
   * The alias check AWS makes for an API Gateway domain target. A target in the wrong zone is, as far as Route 53 can
   * tell, also not found there: AWS reports both (as users quote it).
   */
  function refuseAlias(set: RecordSet): string[] {
    const alias = set.alias
    if (!alias) return []
    const match = /^d-[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(alias.dnsName)
    if (!match) return []
    const region = match[1] ?? ''
    const prefix = `Tried to create an alias that targets ${alias.dnsName}., type ${set.type} in zone ${alias.hostedZoneId}`
    const notFound = `${prefix}, but that target was not found`
    if (alias.hostedZoneId !== API_GATEWAY_HOSTED_ZONES[region])
      return [`${prefix}, but the alias target name does not lie within the target zone`, notFound]
    const exists = [...domains.values()].some(
      (domain) =>
        domain.region === region && domain.configurations.some((c) => c.apiGatewayDomainName === alias.dnsName),
    )
    return exists ? [] : [notFound]
  }

  async function changeResourceRecordSets(call: Call): Promise<Reply> {
    const zoneId = (call.params.zoneId ?? '').replace(/^\/?hostedzone\//, '')
    const current = await recordSets(call, zoneId)
    if (!Array.isArray(current)) return current
    const request = parseXml(call.body.toString())
    const working = [...current]
    const problems: string[] = []
    for (const change of children(request, 'ChangeBatch', 'Changes', 'Change')) {
      const action = text(change, 'Action')
      const set = recordSet(child(change, 'ResourceRecordSet') ?? { name: '', children: [], text: '' })
      const described = `[name='${set.name}', type='${set.type}'${set.setIdentifier ? `, set-identifier='${set.setIdentifier}'` : ''}]`
      const index = working.findIndex((other) => sameSet(other, set))
      if (action === 'CREATE' || action === 'UPSERT') {
        const refused = refuseAlias(set)
        if (refused.length) problems.push(...refused)
        else if (action === 'CREATE' && index >= 0)
          problems.push(`Tried to create resource record set ${described} but it already exists`)
        else if (index >= 0) working[index] = set
        else working.push(set)
      } else if (action === 'DELETE') {
        if (index < 0) problems.push(`Tried to delete resource record set ${described} but it was not found`)
        else if (!sameValues(working[index] as RecordSet, set))
          problems.push(
            `Tried to delete resource record set ${described} but the values provided do not match the current values`,
          )
        else working.splice(index, 1)
      }
    }
    if (problems.length) return invalidBatch(problems)
    const reply = await kit.forward(call)
    if (!isOk(reply)) return reply
    const id = `C${upperAlnum(13)}`
    const submittedAt = new Date().toISOString()
    const pendingReads = kit.settings().changePendingReads
    changes.set(id, { pendingReads, submittedAt })
    return changeInfoXml('ChangeResourceRecordSetsResponse', id, pendingReads > 0 ? 'PENDING' : 'INSYNC', submittedAt)
  }

  async function getChange(call: Call): Promise<Reply> {
    const id = (call.params.changeId ?? '').replace(/^\/?change\//, '')
    const change = changes.get(id)
    if (!change) return r53Error(404, 'NoSuchChange', `A change with the specified change ID does not exist: ${id}`)
    const pending = change.pendingReads > 0
    if (pending) change.pendingReads -= 1
    return changeInfoXml('GetChangeResponse', id, pending ? 'PENDING' : 'INSYNC', change.submittedAt)
  }

  /** CreateHostedZone/DeleteHostedZone answer a change id too: GetChange knows it (INSYNC, as moto answers it). */
  const rememberChange: Hook = async (call) => {
    const reply = await kit.forward(call)
    const id = /<ChangeInfo><Id>\/change\/([^<]+)<\/Id>/.exec(reply.body.toString())?.[1]
    if (isOk(reply) && id) changes.set(id, { pendingReads: 0, submittedAt: new Date().toISOString() })
    return reply
  }

  /** Alias DNS names fully qualified and in lower case, as Route 53 lists them. */
  const listResourceRecordSets: Hook = async (call) => {
    const reply = await kit.forward(call)
    if (!isOk(reply)) return reply
    const body = reply.body
      .toString()
      .replace(/<DNSName>([^<]*)<\/DNSName>/g, (_, name: string) => `<DNSName>${fqdn(name)}</DNSName>`)
    return { ...reply, body }
  }

  /**
   * ListHostedZonesByName: the zones in order of their names with the labels reversed, from `dnsname` on (then from
   * `hostedzoneid` among zones of that name), MaxItems (default 100) at a time, as Route 53 lists them. moto answers
   * only the zones named exactly `dnsname`, which would let a caller that takes the first zone without checking its name
   * pass.
   */
  const listHostedZonesByName: Hook = async (call) => {
    const query = new URL(call.url, 'http://shim').searchParams
    const all = await kit.lookup(call, '/2013-04-01/hostedzonesbyname')
    if (!isOk(all)) return all
    const zones = [...all.body.toString().matchAll(/<HostedZone>[\s\S]*?<\/HostedZone>/g)].map(([xml]) => ({
      xml,
      name: fqdn(/<Name>([^<]*)<\/Name>/.exec(xml)?.[1] ?? ''),
      id: (/<Id>([^<]*)<\/Id>/.exec(xml)?.[1] ?? '').replace(/^\/hostedzone\//, ''),
    }))
    const order = (name: string) => `${name.replace(/\.$/, '').split('.').reverse().join('.')}.`
    zones.sort((a, b) =>
      order(a.name) < order(b.name) ? -1 : order(a.name) > order(b.name) ? 1 : a.id < b.id ? -1 : 1,
    )
    const dnsName = query.get('dnsname')
    const zoneId = query.get('hostedzoneid')?.replace(/^\/hostedzone\//, '')
    if (zoneId && !dnsName)
      return r53Error(400, 'InvalidInput', 'The input is not valid: a hostedzoneid needs a dnsname.')
    let start = dnsName ? zones.findIndex((zone) => order(zone.name) >= order(fqdn(dnsName))) : 0
    if (start < 0) start = zones.length
    if (zoneId) {
      const at = zones.findIndex((zone) => zone.id === zoneId)
      if (at >= 0) start = at
    }
    const max = Math.min(Number(query.get('maxitems') ?? 100) || 100, 100)
    const page = zones.slice(start, start + max)
    const next = zones[start + max]
    const element = (name: string, value: string | undefined) =>
      value === undefined ? '' : `<${name}>${value.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</${name}>`
    return {
      status: 200,
      headers: { 'content-type': 'text/xml', 'x-amzn-RequestId': lowerAlnum(32) },
      body:
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListHostedZonesByNameResponse xmlns="${ROUTE53_NS}">` +
        `<HostedZones>${page.map((zone) => zone.xml).join('')}</HostedZones>` +
        element('DNSName', dnsName ? fqdn(dnsName) : undefined) +
        element('HostedZoneId', zoneId) +
        `<IsTruncated>${next ? 'true' : 'false'}</IsTruncated>` +
        element('NextDNSName', next?.name) +
        element('NextHostedZoneId', next?.id) +
        `<MaxItems>${max}</MaxItems></ListHostedZonesByNameResponse>`,
    }
  }

  const hooks: Record<string, Hook> = {
    'route53:ListHostedZonesByName': listHostedZonesByName,
    'acm:ListCertificates': listCertificates,
    'acm:DescribeCertificate': describeCertificate,
    'acm:RequestCertificate': requestCertificate,
    'apigateway:CreateDomainName': createDomainName,
    'apigateway:GetDomainName': getDomainName,
    'apigateway:GetDomainNames': getDomainNames,
    'apigateway:UpdateDomainName': updateDomainName,
    'apigateway:DeleteDomainName': deleteDomainName,
    'apigateway:CreateApiMapping': createApiMapping,
    'apigateway:GetApiMappings': getApiMappings,
    'apigateway:GetApiMapping': getApiMapping,
    'apigateway:UpdateApiMapping': updateApiMapping,
    'apigateway:DeleteApiMapping': deleteApiMapping,
    'apigateway:TagResource': tagResource,
    'apigateway:UntagResource': untagResource,
    'apigateway:GetTags': getTags,
    'route53:ChangeResourceRecordSets': changeResourceRecordSets,
    'route53:GetChange': getChange,
    'route53:CreateHostedZone': rememberChange,
    'route53:DeleteHostedZone': rememberChange,
    'route53:ListResourceRecordSets': listResourceRecordSets,
  }

  return {
    hooks,
    guardDeleteApi,
    /**
     * Keys for serializing check-then-change hooks, so concurrent duplicates conflict as on AWS. (CreateApiMapping needs
     * none: it checks the key and adds the mapping with no await between.)
     */
    serialKeys: {
      'route53:ChangeResourceRecordSets': (call: Call) => `rrset:${call.params.zoneId}`,
    } as Record<string, (call: Call) => string>,
    setCertificateStatus(arn: string, status: CertificateStatus) {
      certificateStatuses.set(arn, status)
    },
    reset() {
      for (const state of [domains, mappings, certificateStatuses, requestedNames, changes]) state.clear()
    },
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Route 53 speaks XML: a small reader for the SDK's requests and moto's listings (elements and text, no attributes).

interface XmlNode {
  name: string
  children: XmlNode[]
  text: string
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }
const decode = (value: string) =>
  value.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, entity: string) =>
    entity.startsWith('#x')
      ? String.fromCodePoint(Number.parseInt(entity.slice(2), 16))
      : entity.startsWith('#')
        ? String.fromCodePoint(Number(entity.slice(1)))
        : (ENTITIES[entity] ?? whole),
  )

export function parseXml(source: string): XmlNode {
  const root: XmlNode = { name: '', children: [], text: '' }
  const stack = [root]
  const token = /<\?[^>]*\?>|<!--[\s\S]*?-->|<(\/?)([\w:.-]+)[^>]*?(\/?)>|([^<]+)/g
  for (const match of source.matchAll(token)) {
    const [, closing, name, selfClosing, content] = match
    const top = stack[stack.length - 1] as XmlNode
    if (content !== undefined) top.text += decode(content)
    else if (!name) continue
    else if (closing) stack.pop()
    else {
      const node: XmlNode = { name: name.replace(/^\w+:/, ''), children: [], text: '' }
      top.children.push(node)
      if (!selfClosing) stack.push(node)
    }
  }
  return root.children[0] ?? root
}

const child = (node: XmlNode, name: string) => node.children.find((c) => c.name === name)
function children(node: XmlNode, ...path: string[]): XmlNode[] {
  let nodes = [node]
  for (const name of path) nodes = nodes.flatMap((n) => n.children.filter((c) => c.name === name))
  return nodes
}
const text = (node: XmlNode | undefined, name: string) => (node ? child(node, name)?.text.trim() : undefined)

interface RecordSet {
  name: string
  type: string
  setIdentifier?: string
  ttl?: string
  values: string[]
  alias?: { hostedZoneId: string; dnsName: string; evaluateTargetHealth: string }
}

function recordSet(node: XmlNode): RecordSet {
  const alias = child(node, 'AliasTarget')
  return {
    name: fqdn(text(node, 'Name') ?? ''),
    type: text(node, 'Type') ?? '',
    setIdentifier: text(node, 'SetIdentifier'),
    ttl: text(node, 'TTL'),
    values: children(node, 'ResourceRecords', 'ResourceRecord').map((record) => text(record, 'Value') ?? ''),
    alias: alias && {
      hostedZoneId: text(alias, 'HostedZoneId') ?? '',
      dnsName: (text(alias, 'DNSName') ?? '').toLowerCase().replace(/\.$/, ''),
      evaluateTargetHealth: text(alias, 'EvaluateTargetHealth') ?? 'false',
    },
  }
}

const sameSet = (a: RecordSet, b: RecordSet) =>
  a.name === b.name && a.type === b.type && (a.setIdentifier ?? '') === (b.setIdentifier ?? '')

function sameValues(a: RecordSet, b: RecordSet): boolean {
  if ((a.ttl ?? '') !== (b.ttl ?? '')) return false
  if ([...a.values].sort().join('\n') !== [...b.values].sort().join('\n')) return false
  return JSON.stringify(a.alias ?? null) === JSON.stringify(b.alias ?? null)
}
