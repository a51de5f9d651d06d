// The engine's vocabulary: the desired state of a stage, what AWS holds (observed), and the plan between them.
import type {
  CreateApiCommandInput,
  CreateApiMappingCommandInput,
  CreateDomainNameCommandInput,
  DeleteApiMappingCommandInput,
  DeleteDomainNameCommandInput,
  UpdateApiMappingCommandInput,
  UpdateDomainNameCommandInput,
  CreateDeploymentCommandInput,
  CreateIntegrationCommandInput,
  CreateRouteCommandInput,
  CreateStageCommandInput,
  DeleteApiCommandInput,
  DeleteIntegrationCommandInput,
  DeleteRouteCommandInput,
  TagResourceCommandInput as TagApiResourceCommandInput,
  UntagResourceCommandInput as UntagApiResourceCommandInput,
  UpdateApiCommandInput,
  UpdateIntegrationCommandInput,
  UpdateRouteCommandInput,
  UpdateStageCommandInput,
} from '@aws-sdk/client-apigatewayv2'
import type {
  CreateLogGroupCommandInput,
  DeleteLogGroupCommandInput,
  PutRetentionPolicyCommandInput,
  TagResourceCommandInput as TagLogGroupCommandInput,
} from '@aws-sdk/client-cloudwatch-logs'
import type {
  CreateTableCommandInput,
  DeleteTableCommandInput,
  TagResourceCommandInput as TagTableCommandInput,
  UpdateTimeToLiveCommandInput,
} from '@aws-sdk/client-dynamodb'
import type {
  CreateRoleCommandInput,
  DeleteRoleCommandInput,
  DeleteRolePolicyCommandInput,
  DetachRolePolicyCommandInput,
  PutRolePermissionsBoundaryCommandInput,
  PutRolePolicyCommandInput,
  TagRoleCommandInput,
  UpdateAssumeRolePolicyCommandInput,
} from '@aws-sdk/client-iam'
import type {
  AddPermissionCommandInput,
  CreateAliasCommandInput,
  CreateFunctionCommandInput,
  DeleteFunctionCommandInput,
  RemovePermissionCommandInput,
  Runtime,
  PublishVersionCommandInput,
  TagResourceCommandInput as TagFunctionCommandInput,
  UpdateAliasCommandInput,
  UpdateFunctionCodeCommandInput,
  UpdateFunctionConfigurationCommandInput,
} from '@aws-sdk/client-lambda'
import type { Partition, ResourceNames, StageIdentity } from './names.ts'
import type { Ref, WithRefs } from './refs.ts'

export interface PolicyDocument {
  Version: '2012-10-17'
  Statement: Array<Record<string, unknown>>
}

export interface FunctionSpec {
  runtime: string
  architecture: 'arm64' | 'x86_64'
  memory: number
  timeout: number
  env: Record<string, string>
  description: string
  handler: string
  roleArn: string
  codeSha256: string
}

/** The function as serverless.yml wants it: a runtime Lambda knows (an observed one may be anything, or none). */
export interface DesiredFunction extends FunctionSpec {
  runtime: Runtime
}

export interface DesiredState {
  identity: StageIdentity
  region: string
  account: string
  partition: Partition
  names: ResourceNames
  tags: Record<string, string>
  role: {
    trustPolicy: PolicyDocument
    policy: PolicyDocument
    /** ARN of the managed policy set as the role's permissions boundary; absent: none is set (an existing one is kept). */
    permissionsBoundary?: string
  }
  /** The function's CloudWatch log group, made by us (tagged, with a retention) before Lambda would make it. */
  logGroup: {
    name: string
    retentionDays: number
    /** serverless.yml does not set it: a group made before socket-action managed it keeps its own retention. */
    retentionDefaulted: boolean
  }
  fn: DesiredFunction
  /**
   * The connection registry (`connections: registry`): one DynamoDB table per stage where the runtime keeps
   * connections, rooms and attributes. Absent: no registry, and a table left by an earlier deploy is deleted.
   */
  table?: DesiredTable
  /**
   * The stage's custom domain (`domain:`): an API Gateway domain name with a certificate from ACM, the API mapping to
   * this stage, and optionally the alias record in a hosted zone. Absent: none (one an earlier deploy made goes).
   */
  domain?: DesiredDomain
  /** What the desired state decided that the plan tells (e.g. a secret in a parameter that is not encrypted). */
  notes?: string[]
  /** What API Gateway invokes: the alias `live`, moved to a published version once it is ready. */
  release: {
    alias: string
    /** Published versions kept (the live one and the one before it always are). */
    keepVersions: number
    /** A smoke test runs against each version before the alias moves to it. */
    smokeTest: boolean
  }
  api: {
    description: string
    routeSelectionExpression: string
    routeKeys: string[]
    /** The alias `live` of the function. */
    integrationUri: string
    /** The unqualified function, which stages deployed before versions were published target: migrated from. */
    legacyIntegrationUri: string
    integrationTimeoutMs: number
    throttle?: { burstLimit?: number; rateLimit?: number }
  }
}

export interface DesiredTable {
  name: string
  arn: string
  /** The key schema: `pk` (HASH) and `sk` (RANGE), both strings. */
  hashKey: string
  rangeKey: string
  /** The attribute DynamoDB's TTL deletes items by (epoch seconds). */
  ttlAttribute: string
}

export interface DesiredDomain {
  /** The name clients connect to, `{stage}` filled in: lower case, no trailing dot. */
  name: string
  endpointType: 'REGIONAL'
  securityPolicy: 'TLS_1_2'
  /** The API mapping's key: '' (the root), the only kind a WebSocket API can have. */
  mappingKey: ''
  /** The Route 53 hosted zone the alias record goes in, by id (`Z…`) or name; absent: DNS is the user's. */
  hostedZone?: string
}

export interface ObservedRole {
  name: string
  arn: string
  tags: Record<string, string>
  trustPolicy: unknown
  /** Inline policies by name (parsed documents). */
  policies: Record<string, unknown>
  attachedPolicyArns: string[]
  /** ARN of the role's permissions boundary, when it has one. */
  permissionsBoundary?: string
}

export interface ObservedFunction {
  name: string
  arn: string
  tags: Record<string, string>
  spec: FunctionSpec
  state?: string
  lastUpdateStatus?: string
  /** The SourceArn of our invoke permission on the unqualified function, or undefined when there is none. */
  permissionSourceArn?: string
  /** The alias `live`, when it exists: the version it points to. */
  alias?: { name: string; version: string; description?: string }
  /** The SourceArn of our invoke permission on the alias, or undefined when there is none. */
  aliasPermissionSourceArn?: string
  /** Published versions (not $LATEST), oldest first; `spec.description` is the version's (its code's SHA-256). */
  versions: ObservedVersion[]
}

export interface ObservedVersion {
  version: string
  spec: FunctionSpec
}

export interface ObservedIntegration {
  id: string
  type?: string
  uri?: string
  timeoutMs?: number
}

export interface ObservedRoute {
  id: string
  key: string
  target?: string
}

export interface ObservedStage {
  name: string
  deploymentId?: string
  description?: string
  tags: Record<string, string>
  throttle?: { burstLimit?: number; rateLimit?: number }
}

export interface ObservedApi {
  id: string
  name: string
  createdDate?: string
  tags: Record<string, string>
  endpoint?: string
  description?: string
  routeSelectionExpression?: string
  integrations: ObservedIntegration[]
  routes: ObservedRoute[]
  stages: ObservedStage[]
}

export interface ObservedLogGroup {
  name: string
  /** Without the `:*` suffix DescribeLogGroups' `arn` has. */
  arn: string
  /** Undefined: never expire. */
  retentionDays?: number
  tags: Record<string, string>
}

export interface ObservedTable {
  name: string
  arn: string
  /** CREATING, ACTIVE, UPDATING, DELETING, ... */
  status: string
  tags: Record<string, string>
  /** `name:S:HASH` entries, in KeySchema order: what the planner compares with the registry's. */
  keys: string[]
  billingMode?: string
  /** DescribeTimeToLive: ENABLED, ENABLING, DISABLED, DISABLING; and on which attribute. */
  ttl?: { status: string; attribute?: string }
}

/** An ACM certificate whose names might cover the domain (every status: the planner says what is wrong with each). */
export interface ObservedCertificate {
  arn: string
  /** The certificate's domain name and its subject alternative names, lower case. */
  names: string[]
  /** ISSUED, PENDING_VALIDATION, EXPIRED, ... */
  status: string
  /** ISO time; absent for a certificate not issued yet. */
  notAfter?: string
}

export interface ObservedApiMapping {
  id: string
  apiId: string
  stage: string
  key: string
}

/** An A record in the hosted zone with the domain's name (an alias, or plain addresses). */
export interface ObservedRecord {
  zoneId: string
  name: string
  type: string
  alias?: { dnsName: string; hostedZoneId: string; evaluateTargetHealth: boolean }
  /** A plain record's values, and its TTL. */
  values?: string[]
  ttl?: number
  setIdentifier?: string
}

export interface ObservedDomain {
  name: string
  arn: string
  tags: Record<string, string>
  /** Made by socket-action for this stage (by its tags): changed and deleted. Otherwise adopted: only mapped to. */
  ours: boolean
  certificateArn?: string
  endpointType?: string
  securityPolicy?: string
  /** Where its alias record points: API Gateway's own name for the domain, in API Gateway's hosted zone. */
  target?: { dnsName: string; hostedZoneId: string }
  /** AVAILABLE, UPDATING, PENDING_CERTIFICATE_REIMPORT, PENDING_OWNERSHIP_VERIFICATION */
  status?: string
  mappings: ObservedApiMapping[]
}

/**
 * A parameter or secret serverless.yml's `secrets` names, as observe found it: its metadata only, never its value.
 * (src/aws/secrets-lookup.ts; the desired role policy names exactly these.)
 */
export interface ObservedSecret {
  service: 'ssm' | 'secretsmanager'
  /** As serverless.yml names it, `{stage}` filled in: a parameter's name or ARN, a secret's name or ARN. */
  id: string
  found: boolean
  /** Secrets Manager: the secret's full ARN (with AWS's 6-character suffix). */
  arn?: string
  /** SSM: String, StringList or SecureString. */
  type?: string
  /** The customer managed KMS key that encrypts it, by key ARN; absent: an AWS managed key (or none, a String). */
  customerKeyArn?: string
  /** Secrets Manager: scheduled for deletion (its value can no longer be read). */
  deleted?: boolean
}

/** A resource with one of our deterministic names that is not tagged as ours: never adopted, changed or deleted. */
export interface ForeignResource {
  kind: 'role' | 'function' | 'log-group' | 'table'
  name: string
  tags: Record<string, string>
}

export interface ObservedState {
  account: string
  /** From the caller identity's ARN. */
  partition: Partition
  role?: ObservedRole
  fn?: ObservedFunction
  /** The role every region of this stage shared before roles carried the region (ours by tags), if it still exists. */
  legacyRole?: { name: string; arn: string }
  /** Ours, or untagged (made by Lambda for a stage deployed before socket-action made it): adopted and tagged. */
  logGroup?: ObservedLogGroup
  /** APIs tagged with this app, stage and repository (more than one only after a race). */
  apis: ObservedApi[]
  /** The connection registry's table, when one with the stage's name is ours (a DELETING one included). */
  table?: ObservedTable
  /**
   * Custom domains: the one serverless.yml names (ours or not), ours by tags, and those the stage's API records that it
   * is mapped to; with their mappings and records.
   */
  domains?: ObservedDomain[]
  /** Certificates in the stage's region whose names could cover serverless.yml's domain. */
  certificates?: ObservedCertificate[]
  /** The hosted zone serverless.yml names, as Route 53 found it (absent: none found, or none named). */
  hostedZone?: { id: string; name: string }
  /** A records with those domains' names: in the zone serverless.yml names, and in the zone each of ours records. */
  records?: ObservedRecord[]
  /** What serverless.yml's `secrets` name, found or not (absent: none named, or not looked up: removal). */
  secrets?: ObservedSecret[]
  foreign: ForeignResource[]
}

/** The first round of reads' view of a stage: `apis`, `logGroup` and `table` are not read yet. */
export type FirstRound = Pick<ObservedState, 'account' | 'partition' | 'role' | 'fn' | 'foreign' | 'secrets'>

export type Resource =
  | 'role'
  | 'role-policy'
  | 'log-group'
  | 'function'
  | 'function-code'
  | 'function-version'
  | 'alias'
  | 'permission'
  | 'api'
  | 'integration'
  | 'route'
  | 'stage'
  | 'deployment'
  | 'table'
  | 'domain'
  | 'api-mapping'
  | 'dns-record'

export interface FieldDiff {
  field: string
  from: unknown
  to: unknown
}

export type Change = 'create' | 'update' | 'delete'

/**
 * One write: `write` names the AWS call, and `params` is that call's own SDK input, so a misspelt field fails to
 * compile. Fields that may name an id only known once an earlier action has run (the API the plan creates, its
 * integration, its deployment) are typed `Ref` (./refs.ts) and resolved by apply. The writes that are not one call:
 * CreateLogGroup also sets the retention; CreateFunction and UpdateFunctionCode get the zip from the adapter;
 * PutRolePolicy takes the document unserialized (it may hold a reference); CreateTable waits for the table to be
 * ACTIVE (and for a DELETING one of the same name to go first).
 */
interface Write<W extends string, R extends Resource, C extends Change, P> {
  write: W
  id: string
  resource: R
  change: C
  /** What a person reads: the resource's name or key. */
  name: string
  diff?: FieldDiff[]
  /** Ids of actions that must finish first. */
  after: string[]
  params: P
}

export type Action =
  | Write<'CreateApi', 'api', 'create', CreateApiCommandInput>
  | Write<'UpdateApi', 'api', 'update', UpdateApiCommandInput>
  | Write<'TagApi', 'api', 'update', TagApiResourceCommandInput>
  | Write<'UntagApi', 'api', 'update', UntagApiResourceCommandInput>
  | Write<'DeleteApi', 'api', 'delete', DeleteApiCommandInput>
  | Write<'CreateRole', 'role', 'create', CreateRoleCommandInput>
  | Write<'PutRolePermissionsBoundary', 'role', 'update', PutRolePermissionsBoundaryCommandInput>
  | Write<'UpdateAssumeRolePolicy', 'role', 'update', UpdateAssumeRolePolicyCommandInput>
  | Write<'TagRole', 'role', 'update', TagRoleCommandInput>
  | Write<'DeleteRole', 'role', 'delete', DeleteRoleCommandInput>
  | Write<
      'PutRolePolicy',
      'role-policy',
      'create' | 'update',
      Omit<PutRolePolicyCommandInput, 'PolicyDocument'> & { PolicyDocument: PolicyDocument }
    >
  | Write<'DeleteRolePolicy', 'role-policy', 'delete', DeleteRolePolicyCommandInput>
  | Write<'DetachRolePolicy', 'role-policy', 'delete', DetachRolePolicyCommandInput>
  | Write<
      'CreateLogGroup',
      'log-group',
      'create',
      CreateLogGroupCommandInput & Pick<PutRetentionPolicyCommandInput, 'retentionInDays'>
    >
  | Write<'PutRetentionPolicy', 'log-group', 'update', PutRetentionPolicyCommandInput>
  | Write<'TagLogGroup', 'log-group', 'update', TagLogGroupCommandInput>
  | Write<'DeleteLogGroup', 'log-group', 'delete', DeleteLogGroupCommandInput>
  | Write<'CreateFunction', 'function', 'create', Omit<CreateFunctionCommandInput, 'Code'>>
  | Write<'UpdateFunctionConfiguration', 'function', 'update', UpdateFunctionConfigurationCommandInput>
  | Write<'UpdateFunctionCode', 'function-code', 'update', Omit<UpdateFunctionCodeCommandInput, 'ZipFile'>>
  | Write<'TagFunction', 'function', 'update', TagFunctionCommandInput>
  | Write<'DeleteFunction', 'function', 'delete', DeleteFunctionCommandInput>
  | Write<'PublishVersion', 'function-version', 'create', PublishVersionCommandInput>
  | Write<'SmokeTest', 'function-version', 'update', SmokeTestInput>
  | Write<'DeleteVersion', 'function-version', 'delete', DeleteFunctionCommandInput & { Qualifier: string }>
  | Write<'CreateAlias', 'alias', 'create', WithRefs<CreateAliasCommandInput, 'FunctionVersion'>>
  | Write<'UpdateAlias', 'alias', 'update', WithRefs<UpdateAliasCommandInput, 'FunctionVersion'>>
  | Write<'AddPermission', 'permission', 'create' | 'update', WithRefs<AddPermissionCommandInput, 'SourceArn'>>
  | Write<'RemovePermission', 'permission', 'delete', RemovePermissionCommandInput>
  | Write<'CreateIntegration', 'integration', 'create', WithRefs<CreateIntegrationCommandInput, 'ApiId'>>
  | Write<'UpdateIntegration', 'integration', 'update', WithRefs<UpdateIntegrationCommandInput, 'ApiId'>>
  | Write<'DeleteIntegration', 'integration', 'delete', WithRefs<DeleteIntegrationCommandInput, 'ApiId'>>
  | Write<'CreateRoute', 'route', 'create', WithRefs<CreateRouteCommandInput, 'ApiId' | 'Target'>>
  | Write<'UpdateRoute', 'route', 'update', WithRefs<UpdateRouteCommandInput, 'ApiId' | 'Target'>>
  | Write<'DeleteRoute', 'route', 'delete', WithRefs<DeleteRouteCommandInput, 'ApiId'>>
  | Write<'CreateDeployment', 'deployment', 'create', WithRefs<CreateDeploymentCommandInput, 'ApiId'>>
  | Write<'CreateStage', 'stage', 'create', WithRefs<CreateStageCommandInput, 'ApiId' | 'DeploymentId' | 'Description'>>
  | Write<'UpdateStage', 'stage', 'update', WithRefs<UpdateStageCommandInput, 'ApiId' | 'DeploymentId' | 'Description'>>
  | Write<'TagStage', 'stage', 'update', TagApiResourceCommandInput>
  | Write<'CreateTable', 'table', 'create', CreateTableCommandInput>
  | Write<'UpdateTimeToLive', 'table', 'update', UpdateTimeToLiveCommandInput>
  | Write<'TagTable', 'table', 'update', TagTableCommandInput>
  | Write<'DeleteTable', 'table', 'delete', DeleteTableCommandInput>
  | Write<'CreateDomainName', 'domain', 'create', CreateDomainNameCommandInput>
  | Write<'UpdateDomainName', 'domain', 'update', UpdateDomainNameCommandInput>
  | Write<'TagDomainName', 'domain', 'update', TagApiResourceCommandInput>
  | Write<'DeleteDomainName', 'domain', 'delete', DeleteDomainNameCommandInput>
  | Write<'CreateApiMapping', 'api-mapping', 'create', WithRefs<CreateApiMappingCommandInput, 'ApiId'>>
  | Write<'UpdateApiMapping', 'api-mapping', 'update', WithRefs<UpdateApiMappingCommandInput, 'ApiId'>>
  | Write<'DeleteApiMapping', 'api-mapping', 'delete', DeleteApiMappingCommandInput>
  | Write<'CreateRecord', 'dns-record', 'create', RecordChange>
  | Write<'DeleteRecord', 'dns-record', 'delete', RecordChange>

/**
 * Not an AWS call: the smoke test the caller supplies (WriteContext.smokeTest) run against a published version before
 * the alias moves to it; planned only when there is one.
 */
export interface SmokeTestInput {
  FunctionName: string
  /** The version (a number) under test: published by this plan (a reference) or already there. */
  Qualifier: string | Ref
  CodeSha256: string
  /**
   * The stage's first release: live is created without waiting for the test (nothing is served before it), so a
   * failure fails the deploy without a version to fall back to.
   */
  FirstRelease: boolean
}

/**
 * One alias record change (ChangeResourceRecordSets with one CREATE or DELETE); the alias target may be the domain
 * name this plan creates (API Gateway gives its target once it exists). Route 53 applies it atomically and the write
 * waits until it is INSYNC.
 */
export interface RecordChange {
  HostedZoneId: string
  Name: string
  Type: 'A'
  AliasTarget: { DNSName: string | Ref; HostedZoneId: string | Ref; EvaluateTargetHealth: boolean }
}

export type WriteName = Action['write']

/** The action of one write: ActionOf<'CreateFunction'>['params'] is what CreateFunction sends. */
export type ActionOf<W extends WriteName> = Extract<Action, { write: W }>

export interface Plan {
  actions: Action[]
  /** The API the stage keeps (undefined when it is created by this plan). */
  apiId?: string
  /** Its Lambda integration, when it exists already. */
  integrationId?: string
  /** Resources that need no change, for the report. */
  unchanged: string[]
  /** What the plan deliberately leaves as it is, and why (e.g. a boundary no longer configured is kept). */
  notes?: string[]
  /** The versions once the plan is applied, for the report: the one `live` points to (undefined: the one published). */
  release?: ReleaseSummary
}

export interface ReleaseSummary {
  /** The version `live` points to afterwards; undefined when this plan publishes it (its number is AWS's to give). */
  live?: string
  /** Whether this plan publishes a new version for `live`. */
  publishes: boolean
  /** Versions kept (live's included), newest first. */
  kept: string[]
  /** Versions this plan deletes. */
  deleted: string[]
  /** The version a rollback returns to. */
  previous?: string
}
