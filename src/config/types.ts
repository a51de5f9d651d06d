import type { SecretRef } from './secret-ref.ts'

export interface SocketInputs {
  name?: string
  description?: string
  region?: string
  memory?: number
  timeout?: number
  env?: Record<string, string>
  code?: string
  runtime?: SocketConfig['runtime']
  architecture?: SocketConfig['architecture']
  policy?: IamStatement[]
  throttle?: { burstLimit?: number; rateLimit?: number }
  logRetentionDays?: number
  keepVersions?: number
  /** ARN of the managed policy every function role gets as its permissions boundary. */
  permissionsBoundary?: string
  /** Where `policy` is written, for limits only known once the whole role policy is built. */
  policyAt?: { line: number; column: number }
  smoke?: SmokeInput
  connections?: SocketConfig['connections']
  domain?: string | { name: string; hostedZone?: string }
  /** Variable name -> `ssm:...` or `secretsmanager:...` (src/config/secret-ref.ts). */
  secrets?: Record<string, string>
}

/** serverless.yml `domain`: the host name clients connect to, and the Route 53 zone of its alias record, if any. */
export interface DomainInput {
  /** `{stage}` filled in (src/config/domain-name.ts). */
  name: string
  /** As written, `{stage}` included. */
  pattern: string
  hostedZone?: string
}

/**
 * serverless.yml `smoke`: a message each new version must answer before traffic moves to it. `message` is the frame as
 * a client sends it (a mapping in the file is JSON-encoded); the reply must contain `expect`. `headers` and `query` are
 * what the smoke test's $connect and verify's handshake carry (credentials a `connect` handler checks); values read
 * from the environment are masked in all output.
 */
export interface SmokeInput {
  message: string
  expect: string
  headers?: Record<string, string>
  query?: Record<string, string>
}

/** One IAM policy statement added to the function's role (identity policy: no Principal). */
export interface IamStatement {
  Sid?: string
  Effect: 'Allow' | 'Deny'
  Action?: string | string[]
  NotAction?: string | string[]
  Resource?: string | string[]
  NotResource?: string | string[]
  Condition?: Record<string, unknown>
}

export interface ParsedComponent {
  key: string
  component: string
  inputs: SocketInputs
  /** 1-based line of the component key */
  line: number
}

/** Exactly what the user wrote (after ${env.X} substitution), no defaults. */
export interface ParsedConfig {
  file: string
  name?: string
  stage?: string
  components: ParsedComponent[]
}

export type DefaultableField =
  | 'app'
  | 'stage'
  | 'region'
  | 'memory'
  | 'timeout'
  | 'description'
  | 'env'
  | 'code'
  | 'runtime'
  | 'architecture'
  | 'policy'
  | 'throttle'
  | 'logRetentionDays'
  | 'keepVersions'
  | 'permissionsBoundary'

/** One resolved socket component, defaults applied. */
export interface SocketConfig {
  componentKey: string
  configFile: string
  app: string
  stage: string
  region: string
  memory: number
  timeout: number
  description: string
  env: Record<string, string>
  codeDir: string
  handlerFile: string
  runtime: 'nodejs24.x' | 'nodejs22.x'
  architecture: 'arm64' | 'x86_64'
  /** statements the function's role gets in addition to its own */
  policy: IamStatement[]
  /** API Gateway stage default route throttling; absent: account defaults apply */
  throttle?: { burstLimit?: number; rateLimit?: number }
  /** Days the function's CloudWatch log group keeps its logs. */
  logRetentionDays: number
  /** Published Lambda versions kept for rollback; the live one and the one before it are always kept. */
  keepVersions: number
  /**
   * ARN of the managed policy the function role gets as its permissions boundary (CreateRole PermissionsBoundary):
   * the role can never do more than it allows, whatever `policy` says. Absent: no boundary is set.
   */
  permissionsBoundary?: string
  /** Where `policy` is written (its key), for limits checked once the whole role policy is built. */
  policyAt?: { line: number; column: number }
  /**
   * The smoke test's message and the text its reply must contain (src/aws/smoke.ts); absent: the smoke test of a new
   * version runs only $connect and $disconnect.
   */
  smoke?: SmokeInput
  /**
   * `registry`: a DynamoDB table of the stage's own where the runtime keeps connections, rooms and attributes (its name
   * in the function's SOCKET_ACTION_TABLE). Absent: none (a table an earlier deploy made is deleted).
   */
  connections?: 'registry'
  /** The stage's custom domain; absent: the execute-api URL only (a domain an earlier deploy made is removed). */
  domain?: DomainInput
  /**
   * `secrets`: variables the function reads from SSM Parameter Store or Secrets Manager at cold start; its configuration
   * holds only the references (SOCKET_ACTION_SECRETS). Absent: none.
   */
  secrets?: SecretRef[]
  defaulted: DefaultableField[]
}

export interface LoadedConfig {
  parsed: ParsedConfig
  sockets: SocketConfig[]
  /**
   * Every non-empty value serverless.yml read through ${env.X}, in whatever field. Error messages show the reference
   * instead of any of them; those in env and description are also masked in all output (src/config/substitute.ts).
   */
  secrets: string[]
}

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>
  stage?: string
  /**
   * The path is only the default one: when it does not exist but its folder has a socket.js, use every default
   * (zero configuration) instead of failing.
   */
  optional?: boolean
}
