// A thin HTTP shim in front of moto (the AWS emulator, https://github.com/getmoto/moto): it names and logs every AWS call, fills the
// gaps where moto differs from AWS (deployments, UpdateStage, wss:// endpoints, conflicts, eventual consistency,
// Lambda Invoke without Docker), and injects latency and faults on demand. Point the AWS SDK's `endpoint` at `shim.endpoint`.
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { unzipSync } from 'fflate'
import { INIT_TIMEOUT_MS, invocationPayload, LocalLambda } from '../../src/dev/lambda.ts'
import type { WebSocketEvent } from '../../runtime/types.ts'
import {
  type CertificateStatus,
  DOMAIN_DEFAULTS,
  DOMAIN_ROUTES,
  type DomainOptions,
  domainRows,
} from './aws-shim-domains.ts'

export type { CertificateStatus, DomainOptions } from './aws-shim-domains.ts'

export type CallKind = 'read' | 'write'

export interface ShimCall {
  /** The SigV4 service: 'lambda', 'apigateway', 'iam', 'sts', ... */
  service: string
  /** The AWS operation name, e.g. 'CreateFunction'; `METHOD /path` when unknown. */
  operation: string
  kind: CallKind
  method: string
  path: string
  /** HTTP status answered; 0 when the socket was destroyed. */
  status: number
  /**
   * Who called: `deploy` (the engine, the tests), or `function`, an AWS SDK client inside a function the shim's
   * Invoke runs (its credentials are FUNCTION_ACCESS_KEY), or `edge`, API Gateway's data plane in the test bed
   * (aws-edge.ts: its reads of the API and its Invokes, with EDGE_ACCESS_KEY). writes() and failAfterWrites count the
   * deploy's only.
   */
  caller: 'deploy' | 'function' | 'edge'
  /** performance.now() in ms. */
  start: number
  end: number
}

export interface FaultReply {
  /** HTTP status (default 500). */
  status?: number
  /** AWS error code (default 'InternalFailure'). */
  errorType?: string
  message?: string
  /** Destroy the socket instead of answering. */
  network?: boolean
}

export interface FaultSpec extends FaultReply {
  /** The operation to fail, e.g. 'CreateFunction', or '*' for every operation. */
  operation: string
  /** 1-based index, among this operation's calls counted from now, of the first call to fail (default 1). */
  nth?: number
  /** How many consecutive calls fail from nth on (default 1; Infinity for all). */
  times?: number
}

/** The simulated asynchrony; the custom-domain ones (DomainOptions) are in aws-shim-domains.ts. */
export interface AsyncOptions extends DomainOptions {
  /** GetFunction/GetFunctionConfiguration reads answering State "Pending" after CreateFunction (default 1). */
  pendingReads: number
  /** Reads answering LastUpdateStatus "InProgress" after UpdateFunctionCode/Configuration (default 1). */
  inProgressReads: number
  /** CreateFunction/UpdateFunctionConfiguration calls naming a new role that fail as "cannot be assumed" (default 1). */
  roleUnassumableCalls: number
  /** DeleteRole calls answering 409 DeleteConflict right after a DeleteRolePolicy of that role (default 1). */
  deleteConflictCalls: number
  /**
   * CreateDeployment quota: calls in one account closer together than this answer 429 TooManyRequestsException.
   * AWS allows 1 every 5 s (5000); default 0 (off), so tests that deploy often stay fast.
   */
  deploymentIntervalMs: number
  /** GetDeployment reads answering PENDING after CreateDeployment (default 0: DEPLOYED at once, as moto). */
  deploymentPendingReads: number
  /** The next N CreateDeployment calls answer FAILED with a status message (default 0). */
  failingDeployments: number
  /** GetApis calls that still omit an API after its CreateApi, as AWS's listing can lag for a moment (default 0). */
  apiListingLagReads: number
  /**
   * DescribeTable reads answering CREATING after CreateTable (default 1; moto makes tables ACTIVE at once). While a
   * table is CREATING, UpdateTimeToLive, TagResource, UpdateTable and DeleteTable answer ResourceInUseException.
   */
  tableCreatingReads: number
  /**
   * DescribeTable reads answering DELETING after DeleteTable (default 1; moto deletes at once). Meanwhile CreateTable
   * of that name and DeleteTable answer ResourceInUseException, as on AWS.
   */
  tableDeletingReads: number
}

export interface ShimOptions extends Partial<AsyncOptions> {
  /** moto's endpoint, e.g. http://127.0.0.1:5000 */
  target: string
  /** What invoked functions get in their environment besides their own, e.g. where their @connections posts go. */
  functionEnv?: Record<string, string>
}

export interface Shim {
  endpoint: string
  calls(): ShimCall[]
  writes(): ShimCall[]
  clearCalls(): void
  /** Milliseconds added to every call from now on (0 to stop). */
  latency(ms: number): void
  fault(spec: FaultSpec): void
  /** The k-th write call from now (all services) and every write after it fail (default: 500 InternalFailure). */
  failAfterWrites(k: number, reply?: FaultReply): void
  clearFaults(): void
  configure(options: Partial<AsyncOptions>): void
  /** The status ACM answers for a certificate from now on (ListCertificates, DescribeCertificate, CreateDomainName). */
  setCertificateStatus(arn: string, status: CertificateStatus): void
  /** Forget calls, faults, latency and simulated state (call after moto's reset). */
  reset(): void
  stop(): Promise<void>
}

export interface Call {
  service: string
  region: string
  caller: ShimCall['caller']
  operation: string
  kind: CallKind
  method: string
  /** Path and query, as received. */
  url: string
  path: string
  params: Record<string, string>
  headers: IncomingHttpHeaders
  body: Buffer
}

export interface Reply {
  status: number
  headers: Record<string, string | string[]>
  body: string | Buffer
}

type Json = Record<string, any>
type Hook = (call: Call) => Promise<Reply>

interface ArmedFault {
  spec: FaultSpec
  seen: number
}

interface FunctionState {
  arn: string
  pendingReads: number
  inProgressReads: number
}

interface Deployment {
  deploymentId: string
  deploymentStatus: 'DEPLOYED' | 'PENDING' | 'FAILED'
  deploymentStatusMessage?: string
  createdDate: string
  autoDeployed: boolean
  description?: string
}

const DEFAULTS: AsyncOptions = {
  pendingReads: 1,
  inProgressReads: 1,
  roleUnassumableCalls: 1,
  deleteConflictCalls: 1,
  deploymentIntervalMs: 0,
  deploymentPendingReads: 0,
  failingDeployments: 0,
  apiListingLagReads: 0,
  tableCreatingReads: 1,
  tableDeletingReads: 1,
  ...DOMAIN_DEFAULTS,
}

/**
 * The access key of AWS SDK clients inside a function the shim's Invoke runs (Lambda gives a function its role's
 * credentials in AWS_ACCESS_KEY_ID): their calls are logged with caller `function`.
 */
export const FUNCTION_ACCESS_KEY = 'aws-shim-function'

/** The access key of the test bed's edge (aws-edge.ts), which reads the API and invokes functions as API Gateway does. */
export const EDGE_ACCESS_KEY = 'aws-shim-edge'

// ---------------------------------------------------------------------------------------------------------------
// Naming calls

interface RestRoute {
  method: string
  regex: RegExp
  names: string[]
  operation: string
}

function rest(method: string, pattern: string, operation: string): RestRoute {
  const names: string[] = []
  const source = pattern.replace(/\{(\w+)(\+?)\}/g, (_, name: string, greedy: string) => {
    names.push(name)
    return greedy ? '(.+)' : '([^/]+)'
  })
  return { method, regex: new RegExp(`^${source}/?$`), names, operation }
}

/** Create/Get-list on a collection, Get/Update/Delete on its items. */
function resource(base: string, singular: string, plural = `${singular}s`): RestRoute[] {
  return [
    rest('POST', base, `Create${singular}`),
    rest('GET', base, `Get${plural}`),
    rest('GET', `${base}/{id}`, `Get${singular}`),
    rest('PATCH', `${base}/{id}`, `Update${singular}`),
    rest('DELETE', `${base}/{id}`, `Delete${singular}`),
  ]
}

const FN = '/{version}/functions/{fn}'
const REST_ROUTES: Record<string, RestRoute[]> = {
  lambda: [
    rest('POST', '/{version}/functions', 'CreateFunction'),
    rest('GET', '/{version}/functions', 'ListFunctions'),
    rest('GET', FN, 'GetFunction'),
    rest('DELETE', FN, 'DeleteFunction'),
    rest('PUT', `${FN}/code`, 'UpdateFunctionCode'),
    rest('GET', `${FN}/configuration`, 'GetFunctionConfiguration'),
    rest('PUT', `${FN}/configuration`, 'UpdateFunctionConfiguration'),
    rest('POST', `${FN}/policy`, 'AddPermission'),
    rest('GET', `${FN}/policy`, 'GetPolicy'),
    rest('DELETE', `${FN}/policy/{sid}`, 'RemovePermission'),
    rest('POST', `${FN}/versions`, 'PublishVersion'),
    rest('GET', `${FN}/versions`, 'ListVersionsByFunction'),
    rest('POST', `${FN}/aliases`, 'CreateAlias'),
    rest('GET', `${FN}/aliases`, 'ListAliases'),
    rest('GET', `${FN}/aliases/{alias}`, 'GetAlias'),
    rest('PUT', `${FN}/aliases/{alias}`, 'UpdateAlias'),
    rest('DELETE', `${FN}/aliases/{alias}`, 'DeleteAlias'),
    rest('POST', `${FN}/invocations`, 'Invoke'),
    rest('PUT', `${FN}/concurrency`, 'PutFunctionConcurrency'),
    rest('GET', '/{version}/tags/{arn+}', 'ListTags'),
    rest('POST', '/{version}/tags/{arn+}', 'TagResource'),
    rest('DELETE', '/{version}/tags/{arn+}', 'UntagResource'),
  ],
  apigateway: [
    ...resource('/v2/apis', 'Api'),
    ...resource('/v2/apis/{apiId}/routes/{routeId}/routeresponses', 'RouteResponse'),
    ...resource('/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses', 'IntegrationResponse'),
    ...['Route', 'Integration', 'Stage', 'Deployment', 'Authorizer', 'Model'].flatMap((name) =>
      resource(`/v2/apis/{apiId}/${name.toLowerCase()}s`, name),
    ),
    rest('GET', '/v2/tags/{arn+}', 'GetTags'),
    rest('POST', '/v2/tags/{arn+}', 'TagResource'),
    rest('DELETE', '/v2/tags/{arn+}', 'UntagResource'),
    ...(DOMAIN_ROUTES.apigateway ?? []).map(([method, pattern, operation]) => rest(method, pattern, operation)),
  ],
  route53: (DOMAIN_ROUTES.route53 ?? []).map(([method, pattern, operation]) => rest(method, pattern, operation)),
}

/** Service and region from the SigV4 credential scope: Credential=AKID/DATE/REGION/SERVICE/aws4_request. */
function credentialScope(authorization: string | undefined): { service: string; region: string; accessKey: string } {
  const match = /Credential=([^/]+)\/\d+\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization ?? '')
  return { accessKey: match?.[1] ?? '', region: match?.[2] ?? 'us-east-1', service: match?.[3] ?? 'unknown' }
}

/** Operations that change nothing though their names do not say Get, List or Describe (DynamoDB's item reads). */
const READS = /^(Get|List|Describe|AssumeRole|Query$|Scan$|BatchGetItem$|TransactGetItems$)/

function queryAction(req: IncomingMessage, url: URL, body: Buffer): string | undefined {
  const fromQuery = url.searchParams.get('Action')
  if (fromQuery) return fromQuery
  if (!String(req.headers['content-type'] ?? '').includes('x-www-form-urlencoded')) return undefined
  return new URLSearchParams(body.toString()).get('Action') ?? undefined
}

function identify(req: IncomingMessage, body: Buffer): Call {
  const method = req.method ?? 'GET'
  const url = new URL(req.url ?? '/', 'http://shim')
  const { service, region, accessKey } = credentialScope(req.headers.authorization)
  const target = req.headers['x-amz-target']
  let operation = typeof target === 'string' ? target.split('.').pop() : queryAction(req, url, body)
  const params: Record<string, string> = {}
  if (!operation) {
    for (const route of REST_ROUTES[service] ?? []) {
      const match = route.method === method ? route.regex.exec(url.pathname) : null
      if (!match) continue
      operation = route.operation
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(match[i + 1] ?? '')
      })
      break
    }
  }
  const known = operation !== undefined
  operation ??= `${method} ${url.pathname}`
  // AssumeRoleWithWebIdentity is unsigned (the token is the credential): no scope names its service.
  const callService = service === 'unknown' && /^AssumeRoleWith/.test(operation) ? 'sts' : service
  // Exchanging a token for credentials changes no resource: a read for "no writes" assertions.
  const kind: CallKind = (known ? READS.test(operation) : method === 'GET') ? 'read' : 'write'
  return {
    service: callService,
    region,
    caller: accessKey === FUNCTION_ACCESS_KEY ? 'function' : accessKey === EDGE_ACCESS_KEY ? 'edge' : 'deploy',
    operation,
    kind,
    method,
    url: req.url ?? '/',
    path: url.pathname,
    params,
    headers: req.headers,
    body,
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Replies

const requestId = () => randomBytes(16).toString('hex')
const isOk = (reply: Reply) => reply.status >= 200 && reply.status < 300
const parse = (data: string | Buffer): Json => JSON.parse(data.toString() || '{}')
const isoNow = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')

function jsonReply(status: number, body: unknown): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-RequestId': requestId() },
    body: JSON.stringify(body),
  }
}

const QUERY_NAMESPACES: Record<string, string> = {
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  route53: 'https://route53.amazonaws.com/doc/2013-04-01/',
}

const xmlEscape = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** An error shaped the way the service's protocol shapes it: XML for query APIs, JSON plus x-amzn-ErrorType otherwise. */
function awsError(service: string, status: number, errorType: string, message: string): Reply {
  const namespace = QUERY_NAMESPACES[service]
  if (namespace) {
    const type = status >= 500 ? 'Receiver' : 'Sender'
    const body =
      `<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${xmlEscape(errorType)}</Code>` +
      `<Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId()}</RequestId></ErrorResponse>`
    return { status, headers: { 'content-type': 'text/xml' }, body }
  }
  const body: Json = service === 'lambda' ? { Type: status >= 500 ? 'Service' : 'User', message } : { message }
  if (errorType === 'TooManyRequestsException' && service === 'lambda') body.Reason = 'CallerRateLimitExceeded'
  const reply = jsonReply(status, body)
  reply.headers['x-amzn-ErrorType'] = errorType
  return reply
}

/** Rewrites a successful JSON reply; anything else passes through unchanged. */
// biome-ignore lint/suspicious/noConfusingVoidType: edits either mutate the document (void) or return a new one.
function editJson(reply: Reply, edit: (json: Json) => Json | void): Reply {
  if (!isOk(reply) || reply.body.length === 0) return reply
  const json = parse(reply.body)
  const edited = edit(json) ?? json
  return { ...reply, headers: { ...reply.headers, 'content-type': 'application/json' }, body: JSON.stringify(edited) }
}

// ---------------------------------------------------------------------------------------------------------------
// The shim

export async function startShim(options: ShimOptions): Promise<Shim> {
  const target = new URL(options.target)
  const agent = new Agent({ keepAlive: true })
  let settings: AsyncOptions = { ...DEFAULTS, ...definedOnly(options) }
  let log: ShimCall[] = []
  let latencyMs = 0
  let faults: ArmedFault[] = []
  let writeFailure: { k: number; seen: number; reply: FaultReply } | undefined
  const functions = new Map<string, FunctionState>()
  /** Architectures set by UpdateFunctionCode, which moto does not apply; `key:N` for version N, as published. */
  const architectures = new Map<string, string>()
  const newRoles = new Map<string, number>()
  /** Roles whose inline policy was just deleted: IAM answers DeleteConflict to DeleteRole for a moment. */
  const rolesSettling = new Map<string, number>()
  const deployments = new Map<string, Deployment[]>()
  const stageOverrides = new Map<string, Json>()

  // --- moto -------------------------------------------------------------------------------------------------

  function requestMoto(method: string, url: string, headers: IncomingHttpHeaders, body?: Buffer): Promise<Reply> {
    const outgoing: IncomingHttpHeaders = { ...headers, host: target.host }
    for (const name of ['accept-encoding', 'connection', 'content-length', 'transfer-encoding', 'expect'])
      delete outgoing[name]
    if (body?.length) outgoing['content-length'] = String(body.length)
    else delete outgoing['content-type']
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: target.hostname, port: target.port, method, path: url, headers: outgoing, agent },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('error', reject)
          res.on('end', () => {
            const replyHeaders: Record<string, string | string[]> = {}
            for (const [name, value] of Object.entries(res.headers)) {
              if (
                value !== undefined &&
                !['connection', 'content-length', 'transfer-encoding', 'keep-alive'].includes(name)
              )
                replyHeaders[name] = value
            }
            resolve({ status: res.statusCode ?? 502, headers: replyHeaders, body: Buffer.concat(chunks) })
          })
        },
      )
      req.on('error', reject)
      req.end(body?.length ? body : undefined)
    })
  }

  const forward = (call: Call) => requestMoto(call.method, call.url, call.headers, call.body)
  /** A GET to moto on behalf of a call (same credentials), e.g. to check that a resource exists. */
  const lookup = (call: Call, path: string) => requestMoto('GET', path, call.headers)

  // --- faults -----------------------------------------------------------------------------------------------

  function injectedFault(call: Call): FaultReply | undefined {
    let hit: FaultReply | undefined
    for (const fault of faults) {
      if (fault.spec.operation !== call.operation && fault.spec.operation !== '*') continue
      fault.seen += 1
      const first = fault.spec.nth ?? 1
      if (fault.seen >= first && fault.seen < first + (fault.spec.times ?? 1)) hit ??= fault.spec
    }
    if (writeFailure && call.kind === 'write' && call.caller === 'deploy') {
      writeFailure.seen += 1
      if (writeFailure.seen >= writeFailure.k) hit ??= writeFailure.reply
    }
    return hit
  }

  const faultReply = (call: Call, fault: FaultReply) =>
    awsError(
      call.service,
      fault.status ?? 500,
      fault.errorType ?? 'InternalFailure',
      fault.message ?? 'Injected fault (aws-shim)',
    )

  // --- Lambda: asynchrony, role propagation, permission conflicts ---------------------------------------------

  const functionKey = (call: Call, nameOrArn: string) => {
    const name = nameOrArn.startsWith('arn:')
      ? (nameOrArn.split(':')[6] ?? nameOrArn)
      : (nameOrArn.split(':')[0] ?? nameOrArn)
    return `${call.region}/${name}`
  }
  const lambdaConflict = (message: string) =>
    awsError('lambda', 409, 'ResourceConflictException', `The operation cannot be performed at this time. ${message}`)

  /** Fails a call naming a role created moments ago, as AWS does until the role has propagated. */
  function roleNotYetAssumable(role: unknown): Reply | undefined {
    const left = typeof role === 'string' ? newRoles.get(role) : undefined
    if (!left) return undefined
    if (left > 1) newRoles.set(role as string, left - 1)
    else newRoles.delete(role as string)
    return awsError(
      'lambda',
      400,
      'InvalidParameterValueException',
      'The role defined for the function cannot be assumed by Lambda.',
    )
  }

  /** Applies (and counts down) the simulated state to a function configuration read from moto. */
  function simulateState(state: FunctionState | undefined, config: Json | undefined): void {
    if (!state || !config) return
    if (state.pendingReads > 0) {
      state.pendingReads -= 1
      Object.assign(config, {
        State: 'Pending',
        StateReason: 'The function is being created.',
        StateReasonCode: 'Creating',
      })
    } else if (state.inProgressReads > 0) {
      state.inProgressReads -= 1
      config.LastUpdateStatus = 'InProgress'
    }
  }

  async function createFunction(call: Call): Promise<Reply> {
    const input = parse(call.body)
    const denied = roleNotYetAssumable(input.Role)
    if (denied) return denied
    const reply = await forward(call)
    if (isOk(reply)) keepCode(input.Code?.ZipFile)
    if (!isOk(reply) || settings.pendingReads === 0) return reply
    return editJson(reply, (config) => {
      if (input.Publish) publishedPending(functionKey(call, config.FunctionName), config, settings.pendingReads)
      functions.set(functionKey(call, config.FunctionName), {
        arn: config.FunctionArn,
        pendingReads: settings.pendingReads,
        inProgressReads: 0,
      })
      Object.assign(config, {
        State: 'Pending',
        StateReason: 'The function is being created.',
        StateReasonCode: 'Creating',
      })
    })
  }

  async function readFunction(call: Call): Promise<Reply> {
    if (versionGone(call)) return noSuchVersion(call)
    const reply = withCodeLocation(call, await forward(call))
    const key = functionKey(call, call.params.fn ?? '')
    if (qualifierOf(call) !== undefined) {
      if (!isOk(reply) || !versionPending(key, qualifierOf(call))) return reply
      return editJson(reply, (json) => {
        const config = call.operation === 'GetFunction' ? json.Configuration : json
        Object.assign(config, {
          State: 'Pending',
          StateReason: 'The function is being created.',
          StateReasonCode: 'Creating',
        })
      })
    }
    const state = functions.get(key)
    const architecture = architectures.get(key)
    if ((!state && !architecture) || !isOk(reply)) return reply
    return editJson(reply, (json) => {
      const config = call.operation === 'GetFunction' ? json.Configuration : json
      if (architecture && config) config.Architectures = [architecture]
      simulateState(state, config)
    })
  }

  /**
   * AWS refuses changes to a function while it is Pending or an update is InProgress (409 ResourceConflictException).
   * A refusal counts as a read of the state: time passes for a caller that retries instead of polling.
   */
  function functionBusy(key: string): Reply | undefined {
    const state = functions.get(key)
    if (state?.pendingReads) {
      state.pendingReads -= 1
      return lambdaConflict('The function is currently in the following state: Pending')
    }
    if (state?.inProgressReads) {
      state.inProgressReads -= 1
      return lambdaConflict(`An update is in progress for resource: ${state.arn}`)
    }
    return undefined
  }

  /**
   * Versions published with the code (CreateFunction or UpdateFunctionCode with Publish) start Pending, as the function
   * is: `key:N` -> the reads (GetFunction/GetFunctionConfiguration with that Qualifier, or an Invoke of it, refused
   * with 409) that still see it Pending.
   */
  const pendingVersions = new Map<string, number>()
  /** Counts down a pending version; true while it is still Pending for this call. */
  function versionPending(key: string, qualifier: string | undefined): boolean {
    const left = qualifier === undefined ? 0 : (pendingVersions.get(`${key}:${qualifier}`) ?? 0)
    if (left <= 0) return false
    if (left > 1) pendingVersions.set(`${key}:${qualifier}`, left - 1)
    else pendingVersions.delete(`${key}:${qualifier}`)
    return true
  }
  const publishedPending = (key: string, config: Json, reads: number) => {
    if (reads > 0 && /^\d+$/.test(String(config.Version))) pendingVersions.set(`${key}:${config.Version}`, reads)
  }

  /** TagResource, UntagResource, RemovePermission: refused while the function is busy, as on AWS. */
  const unlessFunctionBusy =
    (keyOf: (call: Call) => string): Hook =>
    async (call) =>
      functionBusy(keyOf(call)) ?? forward(call)
  const taggedFunctionKey = (call: Call) => functionKey(call, decodeURIComponent(call.params.arn ?? ''))

  async function updateFunction(call: Call): Promise<Reply> {
    const key = functionKey(call, call.params.fn ?? '')
    const busy = functionBusy(key)
    if (busy) return busy
    if (call.operation === 'UpdateFunctionConfiguration') {
      const denied = roleNotYetAssumable(parse(call.body).Role)
      if (denied) return denied
    }
    const reply = await forward(call)
    if (isOk(reply) && call.operation === 'UpdateFunctionCode') keepCode(parse(call.body).ZipFile)
    // moto ignores UpdateFunctionCode's Architectures; AWS changes the architecture with the code.
    const architecture = call.operation === 'UpdateFunctionCode' ? parse(call.body).Architectures?.[0] : undefined
    if (isOk(reply) && architecture) architectures.set(key, architecture)
    if (!isOk(reply) || (settings.inProgressReads === 0 && !architecture)) return reply
    return editJson(reply, (config) => {
      if (architectures.has(key)) config.Architectures = [architectures.get(key)]
      // Published with the code (Publish): the version keeps the architecture the code came with.
      if (architecture && /^\d+$/.test(String(config.Version)))
        architectures.set(`${key}:${config.Version}`, architecture)
      if (settings.inProgressReads === 0) return
      if (call.operation === 'UpdateFunctionCode' && parse(call.body).Publish)
        publishedPending(key, config, settings.inProgressReads)
      functions.set(key, { arn: config.FunctionArn, pendingReads: 0, inProgressReads: settings.inProgressReads })
      config.LastUpdateStatus = 'InProgress'
    })
  }

  /**
   * Versions deleted (DeleteFunction with a Qualifier), as `key:N`. moto numbers a new version by counting the ones
   * left, so it would give a deleted version's number again (AWS never does): the shim hides deleted versions instead
   * of deleting them in moto.
   */
  const deletedVersions = new Set<string>()
  const qualifierOf = (call: Call) => new URL(call.url, 'http://shim').searchParams.get('Qualifier') ?? undefined
  const versionGone = (call: Call) => {
    const qualifier = qualifierOf(call)
    return qualifier !== undefined && deletedVersions.has(`${functionKey(call, call.params.fn ?? '')}:${qualifier}`)
  }
  const noSuchVersion = (call: Call) =>
    awsError('lambda', 404, 'ResourceNotFoundException', `Function not found: ${call.params.fn}:${qualifierOf(call)}`)

  async function deleteFunction(call: Call): Promise<Reply> {
    const key = functionKey(call, call.params.fn ?? '')
    const qualifier = qualifierOf(call)
    if (qualifier !== undefined && /^\d+$/.test(qualifier)) {
      if (versionGone(call)) return noSuchVersion(call)
      const found = await lookup(call, call.url)
      if (!isOk(found)) return found
      deletedVersions.add(`${key}:${qualifier}`)
      return { status: 204, headers: { 'x-amzn-RequestId': requestId() }, body: '' }
    }
    const reply = await forward(call)
    // Deleting a version (Qualifier) leaves the function's state alone.
    if (isOk(reply) && !qualifier) {
      for (const version of [...deletedVersions]) if (version.startsWith(`${key}:`)) deletedVersions.delete(version)
      for (const version of [...pendingVersions.keys()])
        if (version.startsWith(`${key}:`)) pendingVersions.delete(version)
      functions.delete(functionKey(call, call.params.fn ?? ''))
      architectures.delete(functionKey(call, call.params.fn ?? ''))
    }
    return reply
  }

  /**
   * PublishVersion: moto ignores CodeSha256 (AWS answers 412 PreconditionFailedException when $LATEST holds other
   * code) and publishes while an update is in progress (AWS: 409); the version keeps $LATEST's architecture.
   */
  async function publishVersion(call: Call): Promise<Reply> {
    const key = functionKey(call, call.params.fn ?? '')
    const busy = functionBusy(key)
    if (busy) return busy
    const expected = parse(call.body).CodeSha256
    if (expected) {
      const found = await lookup(call, `/2015-03-31/functions/${encodeURIComponent(call.params.fn ?? '')}`)
      const actual = isOk(found) ? parse(found.body).Configuration?.CodeSha256 : undefined
      if (actual && actual !== expected)
        return awsError(
          'lambda',
          412,
          'PreconditionFailedException',
          `CodeSha256 (${expected}) is different from current CodeSha256 in $LATEST (${actual}). Please try again with the CodeSha256 in $LATEST.`,
        )
    }
    return editJson(await forward(call), (config) => {
      const architecture = architectures.get(key)
      if (!architecture) return
      architectures.set(`${key}:${config.Version}`, architecture)
      config.Architectures = [architecture]
    })
  }

  /** ListVersionsByFunction, with the architectures moto does not keep, without the versions deleted. */
  const listVersions = async (call: Call) =>
    editJson(await forward(call), (json) => {
      const key = functionKey(call, call.params.fn ?? '')
      json.Versions = (json.Versions ?? []).filter((config: Json) => !deletedVersions.has(`${key}:${config.Version}`))
      for (const config of json.Versions) {
        const architecture = architectures.get(config.Version === '$LATEST' ? key : `${key}:${config.Version}`)
        if (architecture) config.Architectures = [architecture]
      }
    })

  async function addPermission(call: Call): Promise<Reply> {
    const busy = functionBusy(functionKey(call, call.params.fn ?? ''))
    if (busy) return busy
    const statementId = parse(call.body).StatementId
    const policy = await lookup(call, call.url)
    if (isOk(policy)) {
      const statements: Json[] = JSON.parse(parse(policy.body).Policy ?? '{}').Statement ?? []
      if (statements.some((statement) => statement.Sid === statementId)) {
        return awsError(
          'lambda',
          409,
          'ResourceConflictException',
          `The statement id (${statementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
        )
      }
    }
    return forward(call)
  }

  // --- Lambda: Invoke ---------------------------------------------------------------------------------------------
  //
  // moto runs functions only in Docker. The shim runs them in the Lambda stand-in of `socket-action dev`
  // (src/dev/lambda.ts): the zip uploaded for the invoked version, fetched from GetFunction's Code.Location (a shim
  // URL serving the uploaded bytes, as AWS's is a presigned S3 URL), unpacked into a folder of its own, with the
  // version's configured environment, memory and timeout; warm environments are kept per version, as Lambda's.

  /** Uploaded zips by CodeSha256 (base64 sha256 of the bytes, as Lambda computes it). */
  const code = new Map<string, Buffer>()
  const CODE_PATH = '/_shim/code/'
  let endpoint = ''

  function keepCode(zipFile: unknown): void {
    if (typeof zipFile !== 'string') return
    const bytes = Buffer.from(zipFile, 'base64')
    code.set(createHash('sha256').update(bytes).digest('base64'), bytes)
  }

  /** GetFunction's Code.Location: where the shim serves the zip whose CodeSha256 the configuration names. */
  function withCodeLocation(call: Call, reply: Reply): Reply {
    if (call.operation !== 'GetFunction') return reply
    return editJson(reply, (json) => {
      const sha = json.Configuration?.CodeSha256
      if (typeof sha === 'string' && code.has(sha))
        json.Code = { ...json.Code, Location: `${endpoint}${CODE_PATH}${encodeURIComponent(sha)}` }
    })
  }

  interface Runner {
    lambda: LocalLambda
    dir: string
    output: string[]
  }
  /** Warm stand-ins by region/function:version and the code and settings they run. */
  const runners = new Map<string, Promise<Runner>>()

  async function startRunner(zip: Buffer, config: Json, region: string): Promise<Runner> {
    const dir = await mkdtemp(path.join(tmpdir(), 'aws-shim-task-'))
    for (const [name, data] of Object.entries(unzipSync(new Uint8Array(zip)))) {
      if (name.endsWith('/')) continue
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true })
      await writeFile(path.join(dir, name), data)
    }
    const handler = String(config.Handler ?? 'index.handler')
    const handlerName = `${handler.slice(0, handler.lastIndexOf('.'))}.js`
    const output: string[] = []
    // The stand-in loads the handler from the unpacked zip as the Lambda Node.js runtime does (ES modules included).
    const lambda = new LocalLambda(
      { taskRoot: dir, handler },
      {
        functionName: config.FunctionName,
        functionVersion: String(config.Version ?? '$LATEST'),
        codeDir: dir,
        handlerName,
        region,
        memory: config.MemorySize ?? 128,
        timeoutMs: (config.Timeout ?? 3) * 1000,
        // What Lambda gives a function besides its configured env: its role's credentials (here a key the shim knows, so
        // its calls are logged as the function's). AWS_ENDPOINT_URL_DYNAMODB is the test bed's own: the SDK's standard
        // variable, so DynamoDB clients made inside the function (the connection registry) reach moto through the shim;
        // AWS_ENDPOINT_URL_SSM and _SECRETS_MANAGER, likewise, for the secrets it reads at cold start.
        // AWS_REGION is the invoked region (the stand-in sets it).
        env: {
          ...(config.Environment?.Variables ?? {}),
          AWS_ACCESS_KEY_ID: FUNCTION_ACCESS_KEY,
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_ENDPOINT_URL_DYNAMODB: endpoint,
          // serverless.yml's secrets, read by the function at cold start (runtime/secrets.ts)
          AWS_ENDPOINT_URL_SSM: endpoint,
          AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
          ...options.functionEnv,
        },
        maxEnvironments: 2,
        output: (_stream, text) => void output.push(text),
      },
    )
    return { lambda, dir, output }
  }

  async function stopRunners(which: (key: string) => boolean = () => true): Promise<void> {
    const stopped = [...runners].filter(([key]) => which(key))
    for (const [key] of stopped) runners.delete(key)
    for (const runner of await Promise.allSettled(stopped.map(([, runner]) => runner))) {
      if (runner.status !== 'fulfilled') continue
      await runner.value.lambda.close()
      await rm(runner.value.dir, { recursive: true, force: true })
    }
  }

  async function invokeFunction(call: Call): Promise<Reply> {
    const fn = call.params.fn ?? ''
    const qualifier = new URL(call.url, 'http://shim').searchParams.get('Qualifier') ?? '$LATEST'
    const key = functionKey(call, fn)
    const state = functions.get(key)
    if (qualifier === '$LATEST' && state?.pendingReads) {
      state.pendingReads -= 1
      return lambdaConflict('The function is currently in the following state: Pending')
    }
    if (versionPending(key, qualifier))
      return lambdaConflict('The function is currently in the following state: Pending')
    const located = withCodeLocation(
      { ...call, operation: 'GetFunction' },
      await lookup(call, `/2015-03-31/functions/${encodeURIComponent(fn)}?Qualifier=${encodeURIComponent(qualifier)}`),
    )
    if (!isOk(located)) return located
    const { Configuration: config, Code: location } = parse(located.body)
    const invocationType = String(call.headers['x-amz-invocation-type'] ?? 'RequestResponse')
    if (invocationType === 'DryRun') return { status: 204, headers: { 'x-amzn-RequestId': requestId() }, body: '' }
    // A change of code or configuration gets fresh environments, as on Lambda; the replaced ones are stopped.
    const version = `${key}:${config.Version}`
    const settingsOf = [config.CodeSha256, config.Handler, config.MemorySize, config.Timeout, config.Environment]
    const runnerKey = `${version} ${JSON.stringify(settingsOf)}`
    let runner = runners.get(runnerKey)
    if (!runner) {
      await stopRunners((other) => other.startsWith(`${version} `))
      const fetched = await fetch(String(location?.Location ?? ''))
      if (!fetched.ok)
        return awsError('lambda', 502, 'ShimError', `aws-shim: no uploaded zip for CodeSha256 ${config.CodeSha256}`)
      runner = startRunner(Buffer.from(await fetched.arrayBuffer()), config, call.region)
      runners.set(runnerKey, runner)
    }
    const started = await runner.catch((error: Error) => error)
    if (started instanceof Error) {
      runners.delete(runnerKey)
      return awsError('lambda', 502, 'ShimError', `aws-shim: cannot run ${config.Handler}: ${started.message}`)
    }
    const { lambda, dir, output } = started
    const event: WebSocketEvent = JSON.parse(call.body.toString() || '{}')
    output.length = 0
    const running = lambda.invoke(event, (config.Timeout ?? 3) * 1000 + INIT_TIMEOUT_MS + 5000)
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-amzn-RequestId': requestId(),
      'X-Amz-Executed-Version': String(config.Version),
    }
    if (invocationType === 'Event') return { status: 202, headers, body: '' }
    const outcome = await running
    if (outcome.requestId) headers['x-amzn-RequestId'] = outcome.requestId
    if (String(call.headers['x-amz-log-type'] ?? '') === 'Tail')
      headers['X-Amz-Log-Result'] = Buffer.from(Buffer.from(output.join('')).subarray(-4096)).toString('base64')
    // What the Node.js runtime answers for a thrown error (handler or init), and the service for an exit or timeout.
    const { functionError, payload } = invocationPayload(outcome, dir)
    if (functionError) headers['X-Amz-Function-Error'] = 'Unhandled'
    return { status: 200, headers, body: JSON.stringify(payload) }
  }

  /** The bytes behind a Code.Location URL (not an AWS API call: not logged). */
  function serveCode(url: string, res: ServerResponse): void {
    const bytes = code.get(decodeURIComponent(url.slice(CODE_PATH.length).split('?')[0] ?? ''))
    send(
      res,
      bytes
        ? { status: 200, headers: { 'content-type': 'application/zip' }, body: bytes }
        : { status: 404, headers: { 'content-type': 'text/plain' }, body: 'NoSuchKey' },
    )
  }

  // --- IAM ----------------------------------------------------------------------------------------------------

  /**
   * IAM refuses a permissions boundary that names no existing policy (NoSuchEntity, "Scope ARN ... does not exist");
   * moto only checks the ARN's shape.
   */
  async function missingBoundary(call: Call): Promise<Reply | undefined> {
    const boundary = new URLSearchParams(call.body.toString()).get('PermissionsBoundary')
    if (!boundary) return undefined
    const found = await lookup(call, `/?Action=GetPolicy&Version=2010-05-08&PolicyArn=${encodeURIComponent(boundary)}`)
    if (found.status !== 404) return undefined
    return awsError('iam', 404, 'NoSuchEntity', `Scope ARN: ${boundary} does not exist or is not attachable.`)
  }

  async function putRolePermissionsBoundary(call: Call): Promise<Reply> {
    return (await missingBoundary(call)) ?? forward(call)
  }

  async function createRole(call: Call): Promise<Reply> {
    const refused = await missingBoundary(call)
    if (refused) return refused
    const reply = await forward(call)
    const arn = /<Arn>([^<]+)<\/Arn>/.exec(reply.body.toString())?.[1]
    if (isOk(reply) && arn && settings.roleUnassumableCalls > 0) newRoles.set(arn, settings.roleUnassumableCalls)
    return reply
  }

  const roleNameOf = (call: Call) => new URLSearchParams(call.body.toString()).get('RoleName') ?? ''

  async function deleteRolePolicy(call: Call): Promise<Reply> {
    const reply = await forward(call)
    if (isOk(reply) && settings.deleteConflictCalls > 0)
      rolesSettling.set(roleNameOf(call), settings.deleteConflictCalls)
    return reply
  }

  async function deleteRole(call: Call): Promise<Reply> {
    const name = roleNameOf(call)
    const left = rolesSettling.get(name)
    if (left) {
      if (left > 1) rolesSettling.set(name, left - 1)
      else rolesSettling.delete(name)
      return awsError('iam', 409, 'DeleteConflict', 'Cannot delete entity, must delete policies first.')
    }
    return forward(call)
  }

  // --- API Gateway v2 -----------------------------------------------------------------------------------------

  const apiPath = (call: Call) => `/v2/apis/${encodeURIComponent(call.params.apiId ?? '')}`
  const stageKey = (apiId: string, stageName: string) => `${apiId}/${stageName}`
  const conflict = (message: string) => awsError('apigateway', 409, 'ConflictException', message)
  const notFound = (message: string) => awsError('apigateway', 404, 'NotFoundException', message)

  function websocketEndpoint(api: Json): Json {
    if (api.protocolType === 'WEBSOCKET' && typeof api.apiEndpoint === 'string')
      api.apiEndpoint = api.apiEndpoint.replace(/^https:\/\//, 'wss://')
    return api
  }

  const withWss = async (call: Call) => editJson(await forward(call), websocketEndpoint)
  /** APIs the listing does not show yet: GetApis calls left. */
  const laggingApis = new Map<string, number>()
  const createApi = async (call: Call) =>
    editJson(
      await withWss(call),
      (json) => void (settings.apiListingLagReads > 0 && laggingApis.set(json.apiId, settings.apiListingLagReads)),
    )
  const getApis = async (call: Call) =>
    editJson(await forward(call), (json) => {
      const items: Json[] = (json.items ?? []).filter((api: Json) => !laggingApis.has(api.apiId))
      for (const [id, left] of laggingApis) left > 1 ? laggingApis.set(id, left - 1) : laggingApis.delete(id)
      items.forEach(websocketEndpoint)
      return { ...json, items }
    })

  const mergeStage = (apiId: string, stage: Json): Json => ({
    ...stage,
    ...stageOverrides.get(stageKey(apiId, stage.stageName)),
  })

  /** Runs `action` only when moto confirms the resource at `path` exists; otherwise answers moto's 404. */
  async function ifExists(call: Call, path: string, action: (found: Reply) => Promise<Reply> | Reply): Promise<Reply> {
    const found = await lookup(call, path)
    return isOk(found) ? action(found) : found
  }

  function recordDeployment(apiId: string, description: string | undefined, autoDeployed: boolean): Deployment {
    const deployment: Deployment = {
      deploymentId: randomBytes(4).toString('hex').slice(0, 6),
      deploymentStatus: 'DEPLOYED',
      createdDate: isoNow(),
      autoDeployed,
    }
    if (description) deployment.description = description
    deployments.set(apiId, [...(deployments.get(apiId) ?? []), deployment])
    return deployment
  }

  function pointStage(apiId: string, stageName: string, deploymentId: string): void {
    const key = stageKey(apiId, stageName)
    stageOverrides.set(key, {
      ...stageOverrides.get(key),
      deploymentId,
      lastDeploymentStatusMessage: `Successfully deployed stage with deployment ID '${deploymentId}'`,
      lastUpdatedDate: isoNow(),
    })
  }

  /** AWS redeploys stages with autoDeploy after every route or integration change. */
  async function autoDeploy(call: Call, apiId: string): Promise<void> {
    const stages = await lookup(call, `/v2/apis/${encodeURIComponent(apiId)}/stages`)
    if (!isOk(stages)) return
    for (const stage of (parse(stages.body).items ?? []) as Json[]) {
      if (!mergeStage(apiId, stage).autoDeploy) continue
      const deployment = recordDeployment(
        apiId,
        'Automatic deployment triggered by changes to the Api configuration',
        true,
      )
      pointStage(apiId, stage.stageName, deployment.deploymentId)
    }
  }

  const thenAutoDeploy =
    (hook: Hook): Hook =>
    async (call) => {
      const reply = await hook(call)
      if (isOk(reply)) await autoDeploy(call, call.params.apiId ?? '')
      return reply
    }

  async function createRoute(call: Call): Promise<Reply> {
    const routeKey = parse(call.body).routeKey
    const routes = await lookup(call, `${apiPath(call)}/routes`)
    if (!isOk(routes)) return routes
    if ((parse(routes.body).items ?? []).some((route: Json) => route.routeKey === routeKey)) {
      return conflict(`Unable to create route ${routeKey}. A route with that key already exists for this API.`)
    }
    return forward(call)
  }

  const deleteRoute = (call: Call) => ifExists(call, call.path, () => forward(call))

  async function createStage(call: Call): Promise<Reply> {
    const input = parse(call.body)
    const existing = await lookup(call, `${apiPath(call)}/stages/${encodeURIComponent(input.stageName ?? '')}`)
    if (isOk(existing)) return conflict(`Stage already exists: ${input.stageName}`)
    const reply = await forward(call)
    if (!isOk(reply)) return reply
    const apiId = call.params.apiId ?? ''
    if (input.deploymentId) stageOverrides.set(stageKey(apiId, input.stageName), { deploymentId: input.deploymentId })
    if (input.autoDeploy) await autoDeploy(call, apiId)
    return editJson(reply, (stage) => mergeStage(apiId, stage))
  }

  const getStage = async (call: Call) =>
    editJson(await forward(call), (stage) => mergeStage(call.params.apiId ?? '', stage))
  const getStages = async (call: Call) =>
    editJson(await forward(call), (json) => ({
      ...json,
      items: (json.items ?? []).map((stage: Json) => mergeStage(call.params.apiId ?? '', stage)),
    }))

  async function updateStage(call: Call): Promise<Reply> {
    const apiId = call.params.apiId ?? ''
    const stageName = call.params.id ?? ''
    const changes = parse(call.body)
    delete changes.stageName
    return ifExists(call, call.path, async (found) => {
      if (changes.deploymentId && !deployments.get(apiId)?.some((d) => d.deploymentId === changes.deploymentId)) {
        return notFound(`Invalid deployment identifier specified ${changes.deploymentId}`)
      }
      const current = mergeStage(apiId, parse(found.body))
      const override: Json = { ...stageOverrides.get(stageKey(apiId, stageName)), lastUpdatedDate: isoNow() }
      for (const [field, value] of Object.entries(changes)) {
        const old = current[field]
        override[field] = isPlainObject(old) && isPlainObject(value) ? { ...old, ...value } : value
      }
      stageOverrides.set(stageKey(apiId, stageName), override)
      if (changes.autoDeploy === true) await autoDeploy(call, apiId)
      return jsonReply(200, mergeStage(apiId, parse(found.body)))
    })
  }

  const deleteStage = (call: Call) =>
    ifExists(call, call.path, async () => {
      const reply = await forward(call)
      if (isOk(reply)) stageOverrides.delete(stageKey(call.params.apiId ?? '', call.params.id ?? ''))
      return reply
    })

  const deleteApi = (call: Call) =>
    ifExists(call, call.path, async () => {
      const reply = await forward(call)
      const apiId = call.params.id ?? ''
      if (isOk(reply)) {
        deployments.delete(apiId)
        for (const key of stageOverrides.keys()) if (key.startsWith(`${apiId}/`)) stageOverrides.delete(key)
      }
      return reply
    })

  let lastDeploymentAt = -Infinity
  /** Deployments still PENDING, by id: reads left. */
  const pendingDeployments = new Map<string, number>()

  const createDeployment = (call: Call) =>
    ifExists(call, apiPath(call), async () => {
      const now = performance.now()
      if (now - lastDeploymentAt < settings.deploymentIntervalMs)
        return awsError('apigateway', 429, 'TooManyRequestsException', 'Too Many Requests')
      lastDeploymentAt = now
      const input = parse(call.body)
      const apiId = call.params.apiId ?? ''
      if (input.stageName) {
        const stage = await lookup(call, `${apiPath(call)}/stages/${encodeURIComponent(input.stageName)}`)
        if (!isOk(stage)) return stage
      }
      const deployment = recordDeployment(apiId, input.description, false)
      if (settings.failingDeployments > 0) {
        settings.failingDeployments -= 1
        Object.assign(deployment, {
          deploymentStatus: 'FAILED',
          deploymentStatusMessage:
            'Execution failed due to configuration error: Invalid permissions on Lambda function',
        })
        return jsonReply(201, deployment)
      }
      if (settings.deploymentPendingReads > 0) {
        deployment.deploymentStatus = 'PENDING'
        pendingDeployments.set(deployment.deploymentId, settings.deploymentPendingReads)
      }
      if (input.stageName) pointStage(apiId, input.stageName, deployment.deploymentId)
      return jsonReply(201, deployment)
    })

  const getDeployments = (call: Call) =>
    ifExists(call, apiPath(call), () => jsonReply(200, { items: deployments.get(call.params.apiId ?? '') ?? [] }))

  const findDeployment = (call: Call) =>
    deployments.get(call.params.apiId ?? '')?.find((d) => d.deploymentId === call.params.id)

  const getDeployment = (call: Call) =>
    ifExists(call, apiPath(call), () => {
      const deployment = findDeployment(call)
      if (!deployment) return notFound(`Invalid Deployment identifier specified ${call.params.id}`)
      const left = pendingDeployments.get(deployment.deploymentId)
      if (left !== undefined) {
        if (left > 1) pendingDeployments.set(deployment.deploymentId, left - 1)
        else {
          pendingDeployments.delete(deployment.deploymentId)
          deployment.deploymentStatus = 'DEPLOYED'
        }
      }
      return jsonReply(200, {
        ...deployment,
        ...(left !== undefined ? { deploymentStatus: left > 0 ? 'PENDING' : 'DEPLOYED' } : {}),
      })
    })

  const deleteDeployment = (call: Call) =>
    ifExists(call, apiPath(call), () => {
      const deployment = findDeployment(call)
      if (!deployment) return notFound(`Invalid Deployment identifier specified ${call.params.id}`)
      const apiId = call.params.apiId ?? ''
      deployments.set(
        apiId,
        (deployments.get(apiId) ?? []).filter((d) => d !== deployment),
      )
      return { status: 204, headers: {}, body: '' }
    })

  // --- DynamoDB: CREATING and DELETING tables ---------------------------------------------------------------
  //
  // moto makes a table ACTIVE at once and deletes it at once. AWS takes a moment for each, and refuses changes to a
  // table meanwhile (ResourceInUseException); the shim plays that back for a number of DescribeTable reads.

  /** Tables still CREATING, by region/name: DescribeTable reads left. */
  const creatingTables = new Map<string, number>()
  /** Tables DeleteTable removed from moto that still answer DELETING: reads left, what they were, their tags. */
  const deletingTables = new Map<string, { reads: number; table: Json; tags: Json[] }>()
  const tableKey = (call: Call, input: Json) =>
    `${call.region}/${
      input.TableName ??
      String(input.ResourceArn ?? '')
        .split(':table/')[1]
        ?.split('/')[0] ??
      ''
    }`
  const dynamoError = (errorType: string, message: string) => awsError('dynamodb', 400, errorType, message)
  const inUse = (message: string) => dynamoError('ResourceInUseException', message)
  /** Another DynamoDB operation to moto with the same credentials (moto does not check signatures). */
  const dynamo = (call: Call, operation: string, input: Json) =>
    requestMoto(
      'POST',
      '/',
      { ...call.headers, 'x-amz-target': `DynamoDB_20120810.${operation}` },
      Buffer.from(JSON.stringify(input)),
    )
  /** moto names some errors without AWS's Exception suffix (DescribeTimeToLive's ResourceNotFound). */
  const awsErrorName = (reply: Reply): Reply => {
    if (isOk(reply)) return reply
    let type: string
    try {
      type = String(parse(reply.body).__type ?? '')
    } catch {
      return reply // not JSON (moto's HTML page for a region it does not serve): passed on as it is
    }
    return /(^|#)ResourceNotFound$/.test(type)
      ? dynamoError('ResourceNotFoundException', parse(reply.body).message ?? 'Requested resource not found')
      : reply
  }

  /** Counts down a table's simulated state; true while it lasts. */
  function stillCreating(key: string, read: boolean): boolean {
    const left = creatingTables.get(key)
    if (!left) return false
    if (read) left > 1 ? creatingTables.set(key, left - 1) : creatingTables.delete(key)
    return true
  }

  async function createTable(call: Call): Promise<Reply> {
    const input = parse(call.body)
    const key = tableKey(call, input)
    if (deletingTables.has(key)) return inUse(`Table already exists: ${input.TableName}`)
    const reply = awsErrorName(await forward(call))
    if (!isOk(reply) || settings.tableCreatingReads === 0) return reply
    creatingTables.set(key, settings.tableCreatingReads)
    return editJson(reply, (json) => {
      if (json.TableDescription) json.TableDescription.TableStatus = 'CREATING'
    })
  }

  async function describeTable(call: Call): Promise<Reply> {
    const key = tableKey(call, parse(call.body))
    const deleting = deletingTables.get(key)
    if (deleting) {
      if (deleting.reads > 1) deleting.reads -= 1
      else deletingTables.delete(key)
      return jsonReply(200, { Table: { ...deleting.table, TableStatus: 'DELETING' } })
    }
    const reply = awsErrorName(await forward(call))
    if (!isOk(reply) || !stillCreating(key, true)) return reply
    return editJson(reply, (json) => {
      if (json.Table) json.Table.TableStatus = 'CREATING'
    })
  }

  /** UpdateTimeToLive, TagResource, UntagResource, UpdateTable: refused while the table is CREATING or DELETING. */
  async function changeTable(call: Call): Promise<Reply> {
    const input = parse(call.body)
    const key = tableKey(call, input)
    if (stillCreating(key, false))
      return inUse(`Attempt to change a resource which is still in use: Table is being created: ${key.split('/')[1]}`)
    if (deletingTables.has(key))
      return inUse(`Attempt to change a resource which is still in use: Table is being deleted: ${key.split('/')[1]}`)
    return awsErrorName(await forward(call))
  }

  async function deleteTable(call: Call): Promise<Reply> {
    const input = parse(call.body)
    const key = tableKey(call, input)
    if (stillCreating(key, false))
      return inUse(`Attempt to change a resource which is still in use: Table is being created: ${input.TableName}`)
    if (deletingTables.has(key))
      return inUse(`Attempt to change a resource which is still in use: Table is being deleted: ${input.TableName}`)
    const found = awsErrorName(await dynamo(call, 'DescribeTable', { TableName: input.TableName }))
    if (!isOk(found)) return found
    const table = parse(found.body).Table ?? {}
    const listed = await dynamo(call, 'ListTagsOfResource', { ResourceArn: table.TableArn })
    const tags: Json[] = isOk(listed) ? (parse(listed.body).Tags ?? []) : []
    const reply = awsErrorName(await forward(call))
    if (!isOk(reply) || settings.tableDeletingReads === 0) return reply
    deletingTables.set(key, { reads: settings.tableDeletingReads, table, tags })
    return editJson(reply, (json) => {
      if (json.TableDescription) json.TableDescription.TableStatus = 'DELETING'
    })
  }

  async function listTagsOfResource(call: Call): Promise<Reply> {
    const deleting = deletingTables.get(tableKey(call, parse(call.body)))
    if (deleting) return jsonReply(200, { Tags: deleting.tags })
    return awsErrorName(await forward(call))
  }

  const dynamoForward = async (call: Call) => awsErrorName(await forward(call))

  /** Runs a check-then-create hook one call at a time per key, so concurrent duplicates conflict as on AWS. */
  const chains = new Map<string, Promise<unknown>>()
  const serialized =
    (key: (call: Call) => string, hook: Hook): Hook =>
    (call) => {
      const name = key(call)
      const run = (chains.get(name) ?? Promise.resolve()).then(() => hook(call))
      const tail = run.catch(() => undefined)
      chains.set(name, tail)
      void tail.then(() => chains.get(name) === tail && chains.delete(name))
      return run
    }

  // --- custom domains: ACM, API Gateway v2 domain names and mappings, Route 53 (aws-shim-domains.ts) ------------

  const domainShim = domainRows({
    settings: () => settings,
    forward,
    lookup,
    requestMoto,
    awsError,
    jsonReply,
  })
  const domainHooks: Record<string, Hook> = Object.fromEntries(
    Object.entries(domainShim.hooks).map(([name, hook]) => {
      const key = domainShim.serialKeys[name]
      return [name, key ? serialized(key, hook) : hook]
    }),
  )

  const hooks: Record<string, Hook> = {
    ...domainHooks,
    'lambda:CreateFunction': createFunction,
    'lambda:GetFunction': readFunction,
    'lambda:GetFunctionConfiguration': readFunction,
    'lambda:UpdateFunctionCode': updateFunction,
    'lambda:UpdateFunctionConfiguration': updateFunction,
    'lambda:DeleteFunction': deleteFunction,
    'lambda:Invoke': invokeFunction,
    'lambda:PublishVersion': publishVersion,
    'lambda:ListVersionsByFunction': listVersions,
    'lambda:AddPermission': serialized(
      (call) => `permission:${functionKey(call, call.params.fn ?? '')}`,
      addPermission,
    ),
    'lambda:RemovePermission': unlessFunctionBusy((call) => functionKey(call, call.params.fn ?? '')),
    'lambda:TagResource': unlessFunctionBusy(taggedFunctionKey),
    'lambda:UntagResource': unlessFunctionBusy(taggedFunctionKey),
    'iam:CreateRole': createRole,
    'iam:PutRolePermissionsBoundary': putRolePermissionsBoundary,
    'iam:DeleteRolePolicy': deleteRolePolicy,
    'iam:DeleteRole': deleteRole,
    'apigateway:CreateApi': createApi,
    'apigateway:GetApi': withWss,
    'apigateway:UpdateApi': withWss,
    'apigateway:GetApis': getApis,
    'apigateway:DeleteApi': domainShim.guardDeleteApi(deleteApi),
    'apigateway:CreateRoute': serialized((call) => `routes:${call.params.apiId}`, thenAutoDeploy(createRoute)),
    'apigateway:UpdateRoute': thenAutoDeploy(forward),
    'apigateway:DeleteRoute': thenAutoDeploy(deleteRoute),
    'apigateway:CreateIntegration': thenAutoDeploy(forward),
    'apigateway:UpdateIntegration': thenAutoDeploy(forward),
    'apigateway:DeleteIntegration': thenAutoDeploy(forward),
    'apigateway:CreateStage': serialized((call) => `stages:${call.params.apiId}`, createStage),
    'apigateway:GetStage': getStage,
    'apigateway:GetStages': getStages,
    'apigateway:UpdateStage': updateStage,
    'apigateway:DeleteStage': deleteStage,
    'apigateway:CreateDeployment': createDeployment,
    'apigateway:GetDeployments': getDeployments,
    'apigateway:GetDeployment': getDeployment,
    'apigateway:DeleteDeployment': deleteDeployment,
    'dynamodb:CreateTable': serialized((call) => `table:${tableKey(call, parse(call.body))}`, createTable),
    'dynamodb:DescribeTable': describeTable,
    'dynamodb:DeleteTable': serialized((call) => `table:${tableKey(call, parse(call.body))}`, deleteTable),
    'dynamodb:UpdateTimeToLive': changeTable,
    'dynamodb:TagResource': changeTable,
    'dynamodb:UntagResource': changeTable,
    'dynamodb:UpdateTable': changeTable,
    'dynamodb:ListTagsOfResource': listTagsOfResource,
    'dynamodb:DescribeTimeToLive': dynamoForward,
  }

  // --- the server ---------------------------------------------------------------------------------------------

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req)
    if (req.method === 'GET' && req.url?.startsWith(CODE_PATH)) {
      serveCode(req.url, res)
      return
    }
    const call = identify(req, body)
    const start = performance.now()
    let status = 0
    try {
      if (latencyMs > 0) await sleep(latencyMs)
      const fault = injectedFault(call)
      if (fault?.network) {
        req.socket.destroy()
        return
      }
      const reply = fault
        ? faultReply(call, fault)
        : await (hooks[`${call.service}:${call.operation}`] ?? forward)(call)
      status = reply.status
      send(res, reply)
    } catch (error) {
      status = 502
      send(res, awsError(call.service, 502, 'ShimError', `aws-shim: ${(error as Error).message}`))
    } finally {
      const { service, operation, kind, method, path, caller } = call
      log.push({ service, operation, kind, method, path, status, caller, start, end: performance.now() })
    }
  }

  // A client that hangs up mid-request just loses its socket.
  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  endpoint = `http://127.0.0.1:${port}`

  return {
    endpoint,
    calls: () => [...log],
    writes: () => log.filter((call) => call.kind === 'write' && call.caller === 'deploy'),
    clearCalls: () => {
      log = []
    },
    latency: (ms) => {
      latencyMs = ms
    },
    fault: (spec) => void faults.push({ spec, seen: 0 }),
    failAfterWrites: (k, reply = {}) => {
      writeFailure = { k, seen: 0, reply }
    },
    clearFaults() {
      faults = []
      writeFailure = undefined
    },
    configure: (changes) => {
      settings = { ...settings, ...definedOnly(changes) }
    },
    setCertificateStatus: (arn, status) => domainShim.setCertificateStatus(arn, status),
    reset() {
      log = []
      latencyMs = 0
      faults = []
      writeFailure = undefined
      settings = { ...DEFAULTS, ...definedOnly(options) }
      for (const state of [
        functions,
        architectures,
        deletedVersions,
        newRoles,
        rolesSettling,
        deployments,
        stageOverrides,
        pendingDeployments,
        laggingApis,
        creatingTables,
        deletingTables,
      ])
        state.clear()
      lastDeploymentAt = -Infinity
      code.clear()
      domainShim.reset()
      void stopRunners()
    },
    async stop() {
      await stopRunners()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      agent.destroy()
    },
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) })
  res.end(reply.body)
}

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function definedOnly(options: Partial<AsyncOptions>): Partial<AsyncOptions> {
  const result: Partial<AsyncOptions> = {}
  for (const key of Object.keys(DEFAULTS) as Array<keyof AsyncOptions>) {
    if (options[key] !== undefined) result[key] = options[key]
  }
  return result
}
