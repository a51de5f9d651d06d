// What the account holds, read through the real SDK and normalized (ids replaced by stable names), so tests can
// compare "after a crash and a re-run" with "after a clean deploy".
import { ListHostedZonesCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53'
import {
  ApiGatewayV2Client,
  GetApiMappingsCommand,
  GetApisCommand,
  GetDomainNamesCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetStagesCommand,
} from '@aws-sdk/client-apigatewayv2'
import {
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  GetRolePolicyCommand,
} from '@aws-sdk/client-iam'
import {
  GetAliasCommand,
  GetFunctionCommand,
  GetPolicyCommand,
  LambdaClient,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
} from '@aws-sdk/client-lambda'
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs'
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  ListTagsOfResourceCommand,
} from '@aws-sdk/client-dynamodb'

export function sdk() {
  const config = { region: 'us-east-1' }
  return {
    iam: new IAMClient(config),
    lambda: new LambdaClient(config),
    apigw: new ApiGatewayV2Client(config),
    logs: new CloudWatchLogsClient(config),
    dynamodb: new DynamoDBClient(config),
    route53: new Route53Client(config),
  }
}

export interface AccountState {
  logGroups: Array<{ name: string; retentionDays?: number; tags: Record<string, string> }>
  roles: Array<{
    name: string
    tags: Record<string, string>
    policies: Record<string, unknown>
    attached: string[]
    boundary?: string
  }>
  functions: Array<{
    name: string
    tags: Record<string, string>
    runtime?: string
    architectures?: string[]
    memory?: number
    timeout?: number
    env?: Record<string, string>
    handler?: string
    role?: string
    codeSha256?: string
    permissions: unknown[]
    /** The version the alias `live` points to. */
    live?: string
    /** Published versions, oldest first, with their code. */
    versions: Array<{ version: string; codeSha256?: string }>
  }>
  apis: Array<{
    id: string
    name: string
    tags: Record<string, string>
    endpoint?: string
    routeSelectionExpression?: string
    integrations: Array<{ type?: string; uri?: string; timeout?: number }>
    routes: Array<{ key: string; target?: string }>
    stages: Array<{
      name: string
      deployed: boolean
      description?: string
      tags: Record<string, string>
      throttle?: unknown
    }>
  }>
  tables: Array<{
    name: string
    status?: string
    tags: Record<string, string>
    keys: string[]
    attributes: string[]
    billingMode?: string
    indexes: number
    ttl: { status?: string; attribute?: string }
  }>
  /** API Gateway domain names with their mappings; absent when there are none. */
  domains?: Array<{
    name: string
    tags: Record<string, string>
    certificateArn?: string
    endpointType?: string
    securityPolicy?: string
    status?: string
    target?: string
    mappings: Array<{ apiId?: string; stage?: string; key?: string }>
  }>
  /** Route 53 records (not the zone's own NS and SOA); absent when there are none. */
  records?: Array<{ zone: string; name: string; type: string; alias?: string; values?: string[] }>
}

export async function readAccount(clients = sdk()): Promise<AccountState> {
  const roleList = (await clients.iam.send(new ListRolesCommand({}))).Roles ?? []
  const roles = await Promise.all(
    roleList.map(async (r) => {
      const role = (await clients.iam.send(new GetRoleCommand({ RoleName: r.RoleName! }))).Role!
      const names = (await clients.iam.send(new ListRolePoliciesCommand({ RoleName: r.RoleName! }))).PolicyNames ?? []
      const policies: Record<string, unknown> = {}
      for (const n of names) {
        const doc = (await clients.iam.send(new GetRolePolicyCommand({ RoleName: r.RoleName!, PolicyName: n })))
          .PolicyDocument!
        policies[n] = JSON.parse(doc.startsWith('{') ? doc : decodeURIComponent(doc))
      }
      const attached = (
        (await clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: r.RoleName! }))).AttachedPolicies ?? []
      ).map((p) => p.PolicyArn!)
      const boundary = role.PermissionsBoundary?.PermissionsBoundaryArn
      return {
        name: role.RoleName!,
        tags: Object.fromEntries((role.Tags ?? []).map((t) => [t.Key!, t.Value!])),
        policies,
        attached,
        ...(boundary ? { boundary } : {}),
      }
    }),
  )
  const fnList = (await clients.lambda.send(new ListFunctionsCommand({}))).Functions ?? []
  const functions = await Promise.all(
    fnList.map(async (f) => {
      const out = await clients.lambda.send(new GetFunctionCommand({ FunctionName: f.FunctionName! }))
      const c = out.Configuration!
      let permissions: unknown[] = []
      try {
        permissions = JSON.parse(
          (await clients.lambda.send(new GetPolicyCommand({ FunctionName: f.FunctionName! }))).Policy!,
        ).Statement
      } catch {
        permissions = []
      }
      const live = await clients.lambda.send(new GetAliasCommand({ FunctionName: f.FunctionName!, Name: 'live' })).then(
        (a) => a.FunctionVersion,
        () => undefined,
      )
      const versions = (
        (await clients.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: f.FunctionName! }))).Versions ?? []
      )
        .filter((v) => v.Version !== '$LATEST')
        .map((v) => ({ version: v.Version!, codeSha256: v.CodeSha256 }))
      return {
        name: c.FunctionName!,
        tags: out.Tags ?? {},
        ...(live ? { live } : {}),
        versions,
        runtime: c.Runtime,
        architectures: c.Architectures,
        memory: c.MemorySize,
        timeout: c.Timeout,
        env: c.Environment?.Variables,
        handler: c.Handler,
        role: c.Role,
        codeSha256: c.CodeSha256,
        permissions,
      }
    }),
  )
  const apiList = (await clients.apigw.send(new GetApisCommand({}))).Items ?? []
  const apis = await Promise.all(
    apiList.map(async (a) => {
      const integrations = (await clients.apigw.send(new GetIntegrationsCommand({ ApiId: a.ApiId! }))).Items ?? []
      const routes = (await clients.apigw.send(new GetRoutesCommand({ ApiId: a.ApiId! }))).Items ?? []
      const stages = (await clients.apigw.send(new GetStagesCommand({ ApiId: a.ApiId! }))).Items ?? []
      const integrationName = new Map(integrations.map((i, n) => [i.IntegrationId!, `integration#${n}`]))
      return {
        id: a.ApiId!,
        name: a.Name!,
        tags: a.Tags ?? {},
        endpoint: a.ApiEndpoint,
        routeSelectionExpression: a.RouteSelectionExpression,
        integrations: integrations.map((i) => ({
          type: i.IntegrationType,
          uri: i.IntegrationUri,
          timeout: i.TimeoutInMillis,
        })),
        routes: routes
          .map((r) => ({
            key: r.RouteKey!,
            target: r.Target?.replace(/integrations\/(.+)$/, (_m, id) => integrationName.get(id) ?? `missing:${id}`),
          }))
          .sort((x, y) => x.key.localeCompare(y.key)),
        stages: stages.map((s) => ({
          name: s.StageName!,
          deployed: !!s.DeploymentId,
          description: s.Description,
          tags: s.Tags ?? {},
          throttle: s.DefaultRouteSettings && {
            burst: s.DefaultRouteSettings.ThrottlingBurstLimit,
            rate: s.DefaultRouteSettings.ThrottlingRateLimit,
          },
        })),
      }
    }),
  )
  const groupList = (await clients.logs.send(new DescribeLogGroupsCommand({}))).logGroups ?? []
  const logGroups = await Promise.all(
    groupList.map(async (g) => ({
      name: g.logGroupName!,
      retentionDays: g.retentionInDays,
      tags:
        (
          await clients.logs.send(
            new ListTagsForResourceCommand({ resourceArn: g.logGroupArn ?? g.arn!.replace(/:\*$/, '') }),
          )
        ).tags ?? {},
    })),
  )
  const tableNames = (await clients.dynamodb.send(new ListTablesCommand({}))).TableNames ?? []
  const tables = await Promise.all(
    tableNames.map(async (name) => {
      const t = (await clients.dynamodb.send(new DescribeTableCommand({ TableName: name }))).Table!
      const ttl = (await clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: name })))
        .TimeToLiveDescription
      const tags = (await clients.dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: t.TableArn! }))).Tags ?? []
      return {
        name,
        status: t.TableStatus,
        tags: Object.fromEntries(tags.map((tag) => [tag.Key!, tag.Value!])),
        keys: (t.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`),
        attributes: (t.AttributeDefinitions ?? []).map((a) => `${a.AttributeName}:${a.AttributeType}`),
        billingMode: t.BillingModeSummary?.BillingMode,
        indexes: (t.GlobalSecondaryIndexes ?? []).length + (t.LocalSecondaryIndexes ?? []).length,
        ttl: { status: ttl?.TimeToLiveStatus, attribute: ttl?.AttributeName },
      }
    }),
  )
  const domainList = (await clients.apigw.send(new GetDomainNamesCommand({}))).Items ?? []
  const domains = await Promise.all(
    domainList.map(async (d) => {
      const c = d.DomainNameConfigurations?.[0]
      const mappings = (await clients.apigw.send(new GetApiMappingsCommand({ DomainName: d.DomainName! }))).Items ?? []
      return {
        name: d.DomainName!,
        tags: d.Tags ?? {},
        certificateArn: c?.CertificateArn,
        endpointType: c?.EndpointType,
        securityPolicy: c?.SecurityPolicy,
        status: c?.DomainNameStatus,
        target: c?.ApiGatewayDomainName,
        mappings: mappings.map((m) => ({ apiId: m.ApiId, stage: m.Stage, key: m.ApiMappingKey })),
      }
    }),
  )
  const zones = (await clients.route53.send(new ListHostedZonesCommand({}))).HostedZones ?? []
  const records = (
    await Promise.all(
      zones.map(async (z) =>
        (
          (await clients.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: z.Id! }))).ResourceRecordSets ??
          []
        )
          .filter((r) => r.Type !== 'NS' && r.Type !== 'SOA')
          .map((r) => ({
            zone: z.Name!,
            name: r.Name!,
            type: r.Type!,
            ...(r.AliasTarget ? { alias: r.AliasTarget.DNSName } : {}),
            ...(r.ResourceRecords ? { values: r.ResourceRecords.map((v) => v.Value!) } : {}),
          })),
      ),
    )
  ).flat()
  return {
    ...(domains.length ? { domains: domains.sort((a, b) => a.name.localeCompare(b.name)) } : {}),
    ...(records.length
      ? {
          records: records.sort((a, b) =>
            `${a.zone} ${a.name} ${a.type}`.localeCompare(`${b.zone} ${b.name} ${b.type}`),
          ),
        }
      : {}),
    tables: tables.sort((a, b) => a.name.localeCompare(b.name)),
    logGroups: logGroups.sort((a, b) => a.name.localeCompare(b.name)),
    roles: roles.sort((a, b) => a.name.localeCompare(b.name)),
    functions: functions.sort((a, b) => a.name.localeCompare(b.name)),
    apis: apis.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)),
  }
}

/** The state without ids that differ between two equivalent deploys (API ids, and the ARNs and URLs holding them). */
export function comparable(state: AccountState): unknown {
  const apiIds = state.apis.map((a) => a.id)
  const text = apiIds.reduce((t, id, n) => t.replaceAll(id, `api#${n}`), JSON.stringify(state))
  // The stage marker hashes the integration id, which differs between two equivalent deploys.
  return JSON.parse(
    text
      .replace(/socket-action deployment [0-9a-f]{16}/g, 'socket-action deployment <marker>')
      .replace(/"socket-action:created":"[^"]+"/g, '"socket-action:created":"<time>"')
      // A domain name's target is API Gateway's, new each time the domain name is made.
      .replace(/d-[a-z0-9]{10}\.execute-api/g, 'd-<id>.execute-api'),
  )
}
