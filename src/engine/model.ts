// The engine's vocabulary: the desired state of a stage, what AWS holds (observed), and the plan between them.
import type { Partition, ResourceNames, StageIdentity } from './names.ts'

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
  fn: FunctionSpec
  api: {
    description: string
    routeSelectionExpression: string
    routeKeys: string[]
    integrationUri: string
    integrationTimeoutMs: number
    throttle?: { burstLimit?: number; rateLimit?: number }
  }
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
  /** The SourceArn of our invoke permission, or undefined when there is none. */
  permissionSourceArn?: string
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

/** A resource with one of our deterministic names that is not tagged as ours: never adopted, changed or deleted. */
export interface ForeignResource {
  kind: 'role' | 'function' | 'log-group'
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
  foreign: ForeignResource[]
}

export type Resource = 'role' | 'role-policy' | 'log-group' | 'function' | 'function-code' | 'permission' | 'api' | 'integration' | 'route' | 'stage' | 'deployment'

export interface FieldDiff {
  field: string
  from: unknown
  to: unknown
}

/**
 * One write. `params` may hold `${apiId}`, `${integrationId}` or `${deploymentId}`: ids that only exist once an earlier
 * action has run; apply substitutes them.
 */
export interface Action {
  id: string
  resource: Resource
  change: 'create' | 'update' | 'delete'
  /** What a person reads: the resource's name or key. */
  name: string
  diff?: FieldDiff[]
  /** Ids of actions that must finish first. */
  after: string[]
  params: Record<string, unknown>
}

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
}
