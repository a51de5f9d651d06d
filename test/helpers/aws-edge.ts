// The test bed's edge: API Gateway's data plane for stages deployed to moto, at their real wss:// URLs. moto's
// execute-api and custom-domain names resolve nowhere, so clients under test reach them through the edge, an HTTPS
// proxy (set HTTPS_PROXY to `edge.proxyUrl`, trust `edge.ca` / NODE_EXTRA_CA_CERTS=`edge.caFile`). For
// `CONNECT host:443` it decides where `host` goes the way DNS and API Gateway would, reading moto through the shim
// with the real SDK (see resolveHost), terminates TLS with a certificate for `host` signed by a CA made for the run
// (openssl CLI), and serves the stage with dev's LocalGateway (src/dev/gateway.ts: $connect with headers and query,
// route selection, $default, $disconnect, @connections, API Gateway's limits) whose Lambda backend is the shim's own
// Invoke of the function and qualifier the route's integration names (the alias `live`).
//
// Functions reach @connections at `edge.connectionsEndpoint` (AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI, set by
// startAwsBed({ edge: true })): that variable is one URL for every API and stage, so the edge finds the connection by
// its id (ids are unique across the edge) and hands the call to the gateway holding it. Clients may also call
// @connections at `https://{apiId}.execute-api.{region}.amazonaws.com/{stage}/@connections/{id}` through the proxy.
//
// Not emulated: Lambda permissions (API Gateway's right to invoke the function is not checked), the stage's
// deployment snapshot (the API's current routes are served), authorizers, a message with no matching route and no
// $default (answered as a failed integration: "Internal server error").
import {
  ApiGatewayV2Client,
  GetApiCommand,
  GetApiMappingsCommand,
  GetDomainNameCommand,
  GetIntegrationCommand,
  GetRoutesCommand,
  GetStageCommand,
  type DomainNameConfiguration,
  type Route,
} from '@aws-sdk/client-apigatewayv2'
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda'
import { ListHostedZonesCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53'
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http'
import { type AddressInfo, connect as netConnect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { createSecureContext, type SecureContext, TLSSocket } from 'node:tls'
import { promisify } from 'node:util'
import type { WebSocketEvent } from '../../runtime/types.ts'
import { type GatewayLimits, LocalGateway } from '../../src/dev/gateway.ts'
import type { Invocation } from '../../src/dev/lambda.ts'
import { EDGE_ACCESS_KEY } from './aws-shim.ts'

const run = promisify(execFile)

export interface EdgeOptions {
  /** The AWS endpoint the edge reads and invokes through: the shim's. */
  awsEndpoint: string
  /**
   * Resolve custom domain names without Route 53 (tests that make no hosted zone): a domain name in API Gateway serves
   * at its name. By default a name resolves only through an alias record, as a client's DNS would.
   */
  resolveDomainsWithoutDns?: boolean
  /** The regions searched for a domain name without DNS (default us-east-1). */
  regions?: string[]
  /** The gateways' limits (API Gateway's by default). */
  limits?: Partial<GatewayLimits>
  /** One line per decision (CONNECT, resolution) and per gateway event. */
  log?: (line: string) => void
}

export interface Edge {
  /** `http://127.0.0.1:PORT`: the proxy clients use (HTTPS_PROXY). */
  proxyUrl: string
  /** The run's CA (PEM) that signed every certificate the edge serves, and a file holding it (NODE_EXTRA_CA_CERTS). */
  ca: string
  caFile: string
  /** Where functions send @connections calls (AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI). */
  connectionsEndpoint: string
  /** Where `host` goes, as a CONNECT would find it (undefined: the name does not resolve). */
  resolve(host: string): Promise<Site | undefined>
  /** Closes every stage's gateway and its connections (between tests). */
  reset(): Promise<void>
  stop(): Promise<void>
}

/** What a host name serves: an API's execute-api name (the stage is the path's first segment), or a custom domain. */
export type Site =
  | { kind: 'execute-api'; host: string; apiId: string; region: string }
  | { kind: 'domain'; host: string; apiId: string; stage: string; region: string }

const EXECUTE_API = /^([a-z0-9]+)\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?$/

/**
 * The name API Gateway gives a domain name's configuration to alias in DNS (`d-<10>.execute-api.<region>.amazonaws.com`).
 * The shim's custom-domain rows (branch shimdomain) answer it as AWS does; moto answers none, and then the edge uses a
 * name derived from the domain (the same for every reader, so a test can make the Route 53 record moto cannot give).
 * The one place that reads it: adapt here when the shim always answers it.
 */
export function apiGatewayDomainNameOf(
  domainName: string,
  configuration: Pick<DomainNameConfiguration, 'ApiGatewayDomainName'> | undefined,
  region: string,
): string {
  if (configuration?.ApiGatewayDomainName) return configuration.ApiGatewayDomainName.toLowerCase().replace(/\.$/, '')
  const id = createHash('sha256').update(domainName.toLowerCase()).digest('hex').slice(0, 10)
  return `d-${id}.execute-api.${region}.amazonaws.com`
}

// ---------------------------------------------------------------------------------------------------------------
// Certificates: a CA per run, a certificate per host (openssl CLI, EC P-256)

interface Certificates {
  ca: string
  caFile: string
  contextFor(host: string): Promise<SecureContext>
  remove(): Promise<void>
}

async function makeCertificates(): Promise<Certificates> {
  const dir = await mkdtemp(path.join(tmpdir(), 'aws-edge-ca-'))
  const file = (name: string) => path.join(dir, name)
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  await run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=socket-action test bed edge CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ])
  await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file('leaf.key')])
  const ca = await readFile(file('ca.pem'), 'utf8')
  const key = await readFile(file('leaf.key'), 'utf8')
  const contexts = new Map<string, Promise<SecureContext>>()
  async function issue(host: string): Promise<SecureContext> {
    const name = createHash('sha256').update(host).digest('hex').slice(0, 16)
    await run('openssl', [
      'req',
      '-x509',
      '-new',
      '-key',
      file('leaf.key'),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-subj',
      `/CN=${host}`,
      '-addext',
      `subjectAltName=DNS:${host}`,
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      '-addext',
      'extendedKeyUsage=serverAuth',
      '-days',
      '2',
      '-out',
      file(`${name}.pem`),
    ])
    return createSecureContext({ key, cert: await readFile(file(`${name}.pem`), 'utf8') })
  }
  return {
    ca,
    caFile: file('ca.pem'),
    contextFor(host) {
      let context = contexts.get(host)
      if (!context) {
        context = issue(host)
        contexts.set(host, context)
        context.catch(() => contexts.delete(host))
      }
      return context
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The edge

interface Stage {
  gateway: LocalGateway
  port: number
  /** The API's route keys and selection expression, as read at the last $connect. */
  routes: Set<string>
  selection: string
}

export async function startEdge(options: EdgeOptions): Promise<Edge> {
  const log = options.log ?? (() => {})
  const certificates = await makeCertificates()
  const credentials = { accessKeyId: EDGE_ACCESS_KEY, secretAccessKey: 'test' }
  const clients = new Map<string, { api: ApiGatewayV2Client; lambda: LambdaClient }>()
  const clientsFor = (region: string) => {
    let pair = clients.get(region)
    if (!pair) {
      const config = { endpoint: options.awsEndpoint, region, credentials }
      // API Gateway calls the function once: no SDK retries.
      pair = { api: new ApiGatewayV2Client(config), lambda: new LambdaClient({ ...config, maxAttempts: 1 }) }
      clients.set(region, pair)
    }
    return pair
  }
  const route53 = new Route53Client({ endpoint: options.awsEndpoint, region: 'us-east-1', credentials })
  const notFound = (error: unknown) => (error as { name?: string }).name === 'NotFoundException'

  // --- resolution: what DNS and API Gateway make of a host name ----------------------------------------------

  /** The alias target of `host` in any hosted zone (A or AAAA; a wildcard record covers one label), or undefined. */
  async function aliasTarget(host: string): Promise<string | undefined> {
    const wanted = `${host}.`
    const wildcard = `\\052.${host.split('.').slice(1).join('.')}.`
    let marker: string | undefined
    let fallback: string | undefined
    do {
      const zones = await route53.send(new ListHostedZonesCommand({ Marker: marker }))
      for (const zone of zones.HostedZones ?? []) {
        if (!wanted.endsWith(`.${zone.Name}`) && wanted !== zone.Name) continue
        let next: { name?: string; type?: string } = {}
        do {
          const page = await route53.send(
            new ListResourceRecordSetsCommand({
              HostedZoneId: zone.Id,
              StartRecordName: next.name,
              StartRecordType: next.type as never,
            }),
          )
          for (const set of page.ResourceRecordSets ?? []) {
            if ((set.Type !== 'A' && set.Type !== 'AAAA') || !set.AliasTarget?.DNSName) continue
            const name = set.Name?.toLowerCase()
            const target = set.AliasTarget.DNSName.toLowerCase().replace(/\.$/, '')
            if (name === wanted) return target
            if (name === wildcard) fallback ??= target
          }
          next = page.IsTruncated ? { name: page.NextRecordName, type: page.NextRecordType } : {}
        } while (next.name)
      }
      marker = zones.IsTruncated ? zones.NextMarker : undefined
    } while (marker)
    return fallback
  }

  /** The API and stage a domain name's mapping with the empty key sends to, if the domain serves. */
  async function domainSite(host: string, region: string, aliasedTo?: string): Promise<Site | undefined> {
    const { api } = clientsFor(region)
    const domain = await api.send(new GetDomainNameCommand({ DomainName: host })).catch((error) => {
      if (notFound(error)) return undefined
      throw error
    })
    if (!domain) return undefined
    const configuration = domain.DomainNameConfigurations?.[0]
    if (aliasedTo && apiGatewayDomainNameOf(host, configuration, region) !== aliasedTo) {
      log(
        `${host}: its record aliases ${aliasedTo}, not the domain name's ${apiGatewayDomainNameOf(host, configuration, region)}`,
      )
      return undefined
    }
    // moto answers no status: a domain name it holds is taken as AVAILABLE.
    const status = configuration?.DomainNameStatus ?? 'AVAILABLE'
    if (status !== 'AVAILABLE') {
      log(`${host}: the domain name is ${status}, it does not serve`)
      return undefined
    }
    const mappings = await api.send(new GetApiMappingsCommand({ DomainName: host }))
    const mapping = mappings.Items?.find((item) => (item.ApiMappingKey ?? '') === '' || item.ApiMappingKey === '(none)')
    if (!mapping?.ApiId || !mapping.Stage) {
      log(`${host}: the domain name has no API mapping with an empty key`)
      return undefined
    }
    return { kind: 'domain', host, apiId: mapping.ApiId, stage: mapping.Stage, region }
  }

  async function resolveHost(rawHost: string): Promise<Site | undefined> {
    const host = rawHost.toLowerCase().replace(/\.$/, '')
    const executeApi = EXECUTE_API.exec(host)
    if (executeApi) {
      const [, apiId, region] = executeApi as unknown as [string, string, string]
      const found = await clientsFor(region)
        .api.send(new GetApiCommand({ ApiId: apiId }))
        .catch((error) => {
          if (notFound(error)) return undefined
          throw error
        })
      return found?.ProtocolType === 'WEBSOCKET' ? { kind: 'execute-api', host, apiId, region } : undefined
    }
    if (options.resolveDomainsWithoutDns) {
      for (const region of options.regions ?? ['us-east-1']) {
        const site = await domainSite(host, region)
        if (site) return site
      }
      return undefined
    }
    const target = await aliasTarget(host)
    const region = target && /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(target)?.[1]
    if (!target || !region) return undefined
    return domainSite(host, region, target)
  }

  // --- the stages' gateways ------------------------------------------------------------------------------------

  const stages = new Map<string, Promise<Stage>>()

  /** Runs the route's integration: the function (and qualifier) its URI names, through the shim's Invoke. */
  async function invoke(
    apiId: string,
    region: string,
    stage: Stage,
    event: WebSocketEvent,
    timeoutMs: number,
  ): Promise<Invocation> {
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    const failed = (name: string, message: string): Invocation => ({
      ok: false,
      reason: 'error',
      error: { name, message, platform: true },
      ms: elapsed(),
    })
    const { api, lambda } = clientsFor(region)
    const routeKey = event.requestContext.routeKey
    const routes: Route[] = []
    let token: string | undefined
    do {
      const page = await api.send(new GetRoutesCommand({ ApiId: apiId, NextToken: token }))
      routes.push(...(page.Items ?? []))
      token = page.NextToken
    } while (token)
    if (routeKey === '$connect') {
      const read = await api.send(new GetApiCommand({ ApiId: apiId }))
      stage.selection = read.RouteSelectionExpression ?? ''
      stage.routes = new Set(routes.map((r) => r.RouteKey ?? ''))
    }
    const route = routes.find((r) => r.RouteKey === routeKey)
    // Without a $connect or $disconnect route API Gateway just connects (or forgets) the client.
    if (!route && (routeKey === '$connect' || routeKey === '$disconnect'))
      return { ok: true, result: { statusCode: 200 }, ms: elapsed() }
    const integrationId = route?.Target?.replace(/^integrations\//, '')
    if (!integrationId) return failed('NoRoute', `no route ${routeKey} with an integration`)
    const integration = await api.send(new GetIntegrationCommand({ ApiId: apiId, IntegrationId: integrationId }))
    const functionArn = /\/functions\/(arn:[^/]+)\/invocations$/.exec(integration.IntegrationUri ?? '')?.[1]
    if (integration.IntegrationType !== 'AWS_PROXY' || !functionArn)
      return failed(
        'UnsupportedIntegration',
        `integration ${integrationId} is not a Lambda proxy integration: ${integration.IntegrationUri}`,
      )
    try {
      const out = await lambda.send(new InvokeCommand({ FunctionName: functionArn, Payload: JSON.stringify(event) }), {
        abortSignal: AbortSignal.timeout(Math.min(timeoutMs, integration.TimeoutInMillis ?? 29_000)),
      })
      const text = Buffer.from(out.Payload ?? []).toString()
      const payload = text ? JSON.parse(text) : null
      const requestId = out.$metadata.requestId
      if (out.FunctionError) {
        const error = {
          name: String(payload?.errorType ?? 'Error'),
          message: String(payload?.errorMessage ?? text),
          ...(Array.isArray(payload?.trace) && { stack: payload.trace.join('\n') }),
        }
        return { ok: false, reason: 'error', error, ms: elapsed(), ...(requestId && { requestId }) }
      }
      return { ok: true, result: payload, ms: elapsed(), ...(requestId && { requestId }) }
    } catch (error) {
      const { name, message } = error as Error
      if (name === 'TimeoutError' || name === 'AbortError')
        return {
          ok: false,
          reason: 'timeout',
          error: { name: 'Timeout', message: 'Endpoint request timed out', platform: true },
          ms: elapsed(),
        }
      return failed(name, message)
    }
  }

  /** `$request.body.a.b`: the frame's JSON value at that path, when it names a route; else $default. */
  function select(stage: Stage, body: string): string {
    const path = /^\$request\.body\.(.+)$/.exec(stage.selection)?.[1]?.split('.')
    if (!path) return '$default'
    let value: unknown
    try {
      value = JSON.parse(body)
    } catch {
      return '$default'
    }
    for (const key of path)
      value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined
    return typeof value === 'string' && stage.routes.has(value) ? value : '$default'
  }

  function stageOf(apiId: string, stageName: string, region: string): Promise<Stage> {
    const key = `${region}/${apiId}/${stageName}`
    let started = stages.get(key)
    if (!started) {
      started = (async () => {
        const stage = { routes: new Set<string>(), selection: '' } as Stage
        stage.gateway = new LocalGateway({
          stage: stageName,
          apiId,
          port: 0,
          ...(options.limits && { limits: options.limits }),
          invoke: (event, timeoutMs) => invoke(apiId, region, stage, event, timeoutMs),
          front: {
            proto: 'https',
            port: 443,
            domainName: (req) => String(req.headers.host ?? '').replace(/:\d+$/, ''),
          },
          routeOf: (body) => select(stage, body),
          log: (line) => log(`${apiId}/${stageName} ${line}`),
        })
        stage.port = (await stage.gateway.listen()).port
        return stage
      })()
      stages.set(key, started)
      started.catch(() => stages.delete(key))
    }
    return started
  }

  // --- the proxy ---------------------------------------------------------------------------------------------

  /** Reads one request's head off `socket` (up to 64 KB): its request line's target, and every byte read. */
  function readHead(socket: TLSSocket): Promise<{ target: string; bytes: Buffer } | undefined> {
    return new Promise((resolve) => {
      let bytes = Buffer.alloc(0)
      const done = (value: { target: string; bytes: Buffer } | undefined) => {
        socket.removeListener('data', onData)
        socket.removeListener('end', onEnd)
        socket.pause()
        resolve(value)
      }
      const onData = (chunk: Buffer) => {
        bytes = Buffer.concat([bytes, chunk])
        const end = bytes.indexOf('\r\n\r\n')
        if (end >= 0)
          return done({
            target: bytes.subarray(0, bytes.indexOf('\r\n')).toString('latin1').split(' ')[1] ?? '/',
            bytes,
          })
        if (bytes.length > 64 * 1024) done(undefined)
      }
      const onEnd = () => done(undefined)
      socket.on('data', onData)
      socket.once('end', onEnd)
    })
  }

  const answer = (socket: Socket, status: number, message: string): void =>
    void socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(JSON.stringify({ message }))}\r\n\r\n${JSON.stringify({ message })}`,
    )

  /** The decrypted stream of a tunnel to `site`: its first request picks the stage, then bytes flow to its gateway. */
  async function serveTunnel(site: Site, secure: TLSSocket): Promise<void> {
    const head = await readHead(secure)
    if (!head) return void secure.destroy()
    const pathname = new URL(head.target, 'https://edge').pathname
    let stageName: string
    if (site.kind === 'domain') {
      // A custom domain has no @connections API.
      if (/\/@connections(\/|$)/.test(pathname)) return answer(secure, 403, 'Forbidden')
      stageName = site.stage
    } else {
      stageName = decodeURIComponent(pathname.split('/')[1] ?? '')
      const { api } = clientsFor(site.region)
      const exists =
        stageName !== '' &&
        (await api.send(new GetStageCommand({ ApiId: site.apiId, StageName: stageName })).then(
          () => true,
          (error) => {
            if (notFound(error)) return false
            throw error
          },
        ))
      if (!exists) return answer(secure, 403, 'Forbidden')
    }
    const stage = await stageOf(site.apiId, stageName, site.region)
    const upstream = netConnect({ host: '127.0.0.1', port: stage.port })
    upstream.on('error', () => secure.destroy())
    secure.on('error', () => upstream.destroy())
    upstream.write(head.bytes)
    secure.pipe(upstream).pipe(secure)
    secure.resume()
  }

  /** The clients' tunnels, ended by reset and stop (the HTTP server no longer tracks a socket after CONNECT). */
  const tunnels = new Set<Socket>()

  async function onConnect(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy())
    tunnels.add(socket)
    socket.once('close', () => tunnels.delete(socket))
    const [host = '', port = ''] = (req.url ?? '').split(/:(?=\d+$)/)
    const site = port === '443' ? await resolveHost(host) : undefined
    log(
      `CONNECT ${req.url}: ${site ? `${site.kind} ${site.apiId}${site.kind === 'domain' ? `/${site.stage}` : ''}` : 'does not resolve'}`,
    )
    if (!site)
      return answer(
        socket,
        502,
        `${host} does not resolve (no API, no Route 53 alias record to an available domain name)`,
      )
    const context = await certificates.contextFor(site.host)
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
    if (head.length) socket.unshift(head)
    const secure = new TLSSocket(socket, { isServer: true, secureContext: context })
    secure.on('error', () => secure.destroy())
    await serveTunnel(site, secure)
  }

  /** The functions' @connections endpoint: `/@function/@connections/{id}`, handed to the gateway holding the id. */
  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/@function\/@connections\/([^/?]+)/.exec(req.url ?? '')
    if (!match) {
      req.resume()
      return void res.writeHead(405, { 'content-type': 'text/plain' }).end('the edge is an HTTPS proxy: CONNECT only')
    }
    const id = decodeURIComponent(match[1]!)
    const stageName = await (async () => {
      for (const [key, stage] of stages) if ((await stage).gateway.holds(id)) return key
      return undefined
    })()
    if (!stageName) {
      req.resume()
      res
        .writeHead(410, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'GoneException' })
        .end('{"message":null}')
      return
    }
    const stage = await stages.get(stageName)!
    const forwarded = httpRequest(
      {
        host: '127.0.0.1',
        port: stage.port,
        method: req.method,
        path: `/${stageName.split('/')[2]}/@connections/${match[1]}`,
        headers: req.headers,
      },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers)
        reply.pipe(res)
      },
    )
    forwarded.on('error', () => res.destroy())
    req.pipe(forwarded)
  }

  const server: Server = createServer((req, res) => void onRequest(req, res).catch(() => res.destroy()))
  server.on(
    'connect',
    (req, socket, head) =>
      void onConnect(req, socket as Socket, head).catch((error: Error) => {
        log(`CONNECT ${req.url}: ${error.message}`)
        answer(socket as Socket, 502, 'Bad Gateway')
      }),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const proxyUrl = `http://127.0.0.1:${port}`

  async function closeStages(): Promise<void> {
    const all = [...stages.values()]
    stages.clear()
    for (const socket of tunnels) socket.destroy()
    await Promise.allSettled(all.map(async (stage) => (await stage).gateway.close()))
  }

  return {
    proxyUrl,
    ca: certificates.ca,
    caFile: certificates.caFile,
    connectionsEndpoint: `${proxyUrl}/@function`,
    resolve: resolveHost,
    reset: closeStages,
    async stop() {
      await closeStages()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      for (const { api, lambda } of clients.values()) {
        api.destroy()
        lambda.destroy()
      }
      route53.destroy()
      await certificates.remove()
    },
  }
}
