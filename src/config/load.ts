import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml'
import type { Document, Node, Pair, YAMLMap, YAMLSeq } from 'yaml'
import { ConfigError } from './diagnostics.ts'
import type { Diagnostic } from './diagnostics.ts'
import { permissionsBoundaryProblem } from './boundary.ts'
import { AWS_REGIONS } from './regions.ts'
import { stageNameProblem } from './stage-name.ts'
import { closest, didYouMean } from './suggest.ts'
import type {
  DefaultableField,
  IamStatement,
  LoadConfigOptions,
  LoadedConfig,
  ParsedComponent,
  ParsedConfig,
  SocketConfig,
  SocketInputs,
} from './types.ts'

// ---------------------------------------------------------------------------
// constants

const TOP_LEVEL_KEYS = ['name', 'stage'] as const
const COMPONENT_KEYS = ['component', 'inputs'] as const
const INPUT_KEYS = [
  'name',
  'description',
  'region',
  'memory',
  'timeout',
  'env',
  'code',
  'runtime',
  'architecture',
  'policy',
  'permissionsBoundary',
  'throttle',
  'logRetentionDays',
] as const
type InputKey = (typeof INPUT_KEYS)[number]

const SOCKET_COMPONENT = '@serverless/socket'
const SOCKET_COMPONENT_RE = /^@serverless\/socket(@[^\s@/]+)?$/
const HANDLER_FILES = ['socket.js', 'socket.ts', 'socket.mjs'] as const
const SNIPPET = `Socket: { component: "${SOCKET_COMPONENT}" }`

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/
// Lambda's key pattern, [a-zA-Z]([a-zA-Z0-9_])+: at least two characters.
const ENV_NAME_RE = /^[a-zA-Z][a-zA-Z0-9_]+$/
const ENV_REF_RE = /\$\{env\.([^}]*)\}/g
const OTHER_VAR_RE = /\$\{[^}]*\}/g
const INTEGER_RE = /^-?\d+$/
const NUMBER_RE = /^-?\d+(\.\d+)?$/
/**
 * IAM policy variables such as ${aws:username} or ${*}, kept as-is in policy strings. Not ${s3:...},
 * ${aws:region} or ${aws:accountId}: those are Serverless Framework variables, which are not supported.
 */
const IAM_VAR_RE =
  /^\$\{(?:(?:aws|saml|sts|ec2|iam|cognito-identity\.amazonaws\.com|www\.amazon\.com|graph\.facebook\.com|accounts\.google\.com):[^}]+|[*?$])\}$/i
const SERVERLESS_AWS_VAR_RE = /^\$\{aws:(region|accountId)\}$/i

const RUNTIMES = ['nodejs24.x', 'nodejs22.x'] as const
type Runtime = (typeof RUNTIMES)[number]
const NODEJS_RUNTIME_RE = /^nodejs(\d+)(\.x)?$/i
const RUNTIME_LOOSE_RE = /^(?:node(?:js)?)?[\s_-]*(\d+)(?:\.x)?$/i
const ARCHITECTURES = ['arm64', 'x86_64'] as const
type Architecture = (typeof ARCHITECTURES)[number]
const ARCHITECTURE_ALIASES: Record<string, Architecture> = {
  'x86-64': 'x86_64',
  x8664: 'x86_64',
  amd64: 'x86_64',
  x64: 'x86_64',
  x86: 'x86_64',
  intel: 'x86_64',
  aarch64: 'arm64',
  arm: 'arm64',
  arm64v8: 'arm64',
  graviton: 'arm64',
}

const STATEMENT_KEYS = ['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'] as const
type StatementKey = (typeof STATEMENT_KEYS)[number]
const EFFECTS = ['Allow', 'Deny'] as const
const SID_RE = /^[A-Za-z0-9]+$/
const ACTION_RE = /^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/
const ACTION_FIXABLE_RE = /^([A-Za-z0-9-]+)\s*(?:[./_ ]|::)\s*([A-Za-z0-9*?]+)$/
const ARN_PARTS_MIN = 6 // arn:partition:service:region:account:resource

const THROTTLE_KEYS = ['burstLimit', 'rateLimit'] as const
type ThrottleKey = (typeof THROTTLE_KEYS)[number]
const THROTTLE_ALIASES: Record<string, ThrottleKey> = {
  throttlingburstlimit: 'burstLimit',
  throttlingratelimit: 'rateLimit',
  burst: 'burstLimit',
  rate: 'rateLimit',
}

const MEMORY_MIN = 128
const MEMORY_MAX = 10240
const TIMEOUT_MIN = 1
const TIMEOUT_MAX = 29
const DESCRIPTION_MAX = 256
const ENV_MAX_BYTES = 4096

const DEFAULT_STAGE = 'dev'
const DEFAULT_REGION = 'us-east-1'
const DEFAULT_MEMORY = 512
const DEFAULT_TIMEOUT = 10
/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]
/** A month: enough to look back at a preview's or an incident's logs; Lambda's own default keeps them (and bills) forever. */
const DEFAULT_LOG_RETENTION_DAYS = 30
const DEFAULT_RUNTIME: Runtime = 'nodejs24.x'
const DEFAULT_ARCHITECTURE: Architecture = 'arm64'

const RESERVED_ENV = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
])

// ---------------------------------------------------------------------------
// context

class Ctx {
  readonly diagnostics: Diagnostic[] = []
  constructor(
    readonly file: string,
    readonly lineCounter: LineCounter,
    readonly doc: Document,
    readonly env: Record<string, string | undefined>,
  ) {}

  at(offset: number, message: string): void {
    const { line, col } = this.lineCounter.linePos(offset)
    this.diagnostics.push({ file: this.file, line, column: col, message })
  }

  atStart(message: string): void {
    this.diagnostics.push({ file: this.file, line: 1, column: 1, message })
  }

  line(offset: number): number {
    return this.lineCounter.linePos(offset).line
  }
}

/** A YAML value after alias resolution and ${env.X} substitution. */
type Val =
  | { kind: 'string'; value: string; substituted: boolean }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'map'; node: YAMLMap }
  | { kind: 'seq'; node: YAMLSeq }
  | { kind: 'error' } // already reported

interface Entry {
  key: string
  keyPos: number
  /** position of the value, or of the key when the value is empty */
  valuePos: number
  value: Node | null
}

// ---------------------------------------------------------------------------
// yaml helpers

function deref(ctx: Ctx, node: unknown): Node | null {
  let n = node
  for (let i = 0; i < 20 && isAlias(n); i++) n = n.resolve(ctx.doc)
  return (n ?? null) as Node | null
}

function startOf(node: unknown): number | undefined {
  const r = (node as { range?: [number, number, number] } | null)?.range
  return r ? r[0] : undefined
}

/** Unique entries with plain string keys; duplicates are reported by yaml itself. */
function entries(ctx: Ctx, map: YAMLMap, fallbackPos: number): Entry[] {
  const seen = new Set<string>()
  const out: Entry[] = []
  for (const item of map.items as Pair<unknown, unknown>[]) {
    const keyNode = deref(ctx, item.key)
    const keyPos = startOf(item.key) ?? startOf(keyNode) ?? fallbackPos
    if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
      ctx.at(keyPos, 'keys must be plain names (not lists, mappings or empty keys)')
      continue
    }
    const key = String(keyNode.value)
    if (seen.has(key)) continue
    seen.add(key)
    const value = deref(ctx, item.value)
    let valuePos = startOf(item.value) ?? keyPos
    if (value == null || (isScalar(value) && value.value == null && (value.source === '' || value.source == null))) {
      valuePos = keyPos
    }
    out.push({ key, keyPos, valuePos, value })
  }
  return out
}

/** Items of a list, aliases resolved, each with its position. */
function listItems(ctx: Ctx, seq: YAMLSeq, fallbackPos: number): { node: Node | null; pos: number }[] {
  return (seq.items as unknown[]).map((item) => ({ node: deref(ctx, item), pos: startOf(item) ?? fallbackPos }))
}

/** `policyVars`: leave IAM policy variables (${aws:username}) alone instead of reporting them. */
function substitute(ctx: Ctx, raw: string, pos: number, policyVars = false): Val {
  let ok = true
  let substituted = false
  const value = raw.replace(ENV_REF_RE, (whole, name: string) => {
    substituted = true
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      ok = false
      ctx.at(pos, `invalid reference ${whole}: write \${env.NAME} where NAME is an environment variable name`)
      return ''
    }
    const v = ctx.env[name]
    if (v === undefined) {
      ok = false
      ctx.at(pos, `environment variable "${name}" is not set (used by \${env.${name}}); set it or remove the reference`)
      return ''
    }
    return v
  })
  if (ok) {
    // only ${env.X} is supported; anything else left over is a mistake (e.g. ${self:...}, ${opt:stage})
    const rest = raw
      .replace(ENV_REF_RE, '')
      .match(OTHER_VAR_RE)
      ?.filter((v) => !(policyVars && IAM_VAR_RE.test(v) && !SERVERLESS_AWS_VAR_RE.test(v)))
    if (rest?.[0] !== undefined) {
      ok = false
      const also = policyVars ? ' (and, in policy, IAM policy variables such as ${aws:username})' : ''
      ctx.at(pos, `unsupported variable ${rest[0]}: only \${env.NAME} references are supported${also}`)
    }
  }
  return ok ? { kind: 'string', value, substituted } : { kind: 'error' }
}

function readValue(ctx: Ctx, node: Node | null, pos: number, policyVars = false): Val {
  if (node == null) return { kind: 'null' }
  if (isMap(node)) return { kind: 'map', node }
  if (isSeq(node)) return { kind: 'seq', node }
  if (isScalar(node)) {
    const v = node.value
    if (v == null) return { kind: 'null' }
    if (typeof v === 'string') return substitute(ctx, v, pos, policyVars)
    if (typeof v === 'number') return { kind: 'number', value: v }
    if (typeof v === 'bigint') return { kind: 'number', value: Number(v) }
    if (typeof v === 'boolean') return { kind: 'boolean', value: v }
    return { kind: 'string', value: String(v), substituted: false }
  }
  return { kind: 'error' }
}

function describe(v: Val): string {
  switch (v.kind) {
    case 'string':
      return JSON.stringify(v.value)
    case 'number':
      return String(v.value)
    case 'boolean':
      return String(v.value)
    case 'null':
      return 'an empty value'
    case 'map':
      return 'a mapping'
    case 'seq':
      return 'a list'
    case 'error':
      return 'an invalid value'
  }
}

function unknownKey(what: string, key: string, allowed: readonly string[], allowedText: string): string {
  const hint = didYouMean(key, allowed)
  return `${what} "${key}" - ${hint ?? allowedText}`
}

// ---------------------------------------------------------------------------
// field validators (return undefined after reporting)

function readString(ctx: Ctx, e: Entry, label: string): string | undefined {
  const v = readValue(ctx, e.value, e.valuePos)
  if (v.kind === 'error') return undefined
  if (v.kind === 'string') return v.value
  const hint = v.kind === 'number' || v.kind === 'boolean' ? ` - put it in quotes if you mean the text "${v.value}"` : ''
  ctx.at(e.valuePos, `${label} must be a string, got ${describe(v)}${hint}`)
  return undefined
}

function checkName(ctx: Ctx, e: Entry, label: string): string | undefined {
  const s = readString(ctx, e, label)
  if (s === undefined) return undefined
  if (!NAME_RE.test(s)) {
    ctx.at(
      e.valuePos,
      `${label} must be 1-64 characters of letters, digits, "-" and "_", starting with a letter or digit, got ${JSON.stringify(s)}`,
    )
    return undefined
  }
  return s
}

function readInteger(ctx: Ctx, e: Entry, label: string, unit: string): number | undefined {
  const v = readValue(ctx, e.value, e.valuePos)
  if (v.kind === 'error') return undefined
  if (v.kind === 'number' && Number.isInteger(v.value)) return v.value
  if (v.kind === 'string' && v.substituted && INTEGER_RE.test(v.value.trim())) return Number(v.value.trim())
  let hint = ''
  if (v.kind === 'string' && !v.substituted && NUMBER_RE.test(v.value.trim())) hint = ' - remove the quotes'
  ctx.at(e.valuePos, `${label} must be an integer number of ${unit}, got ${describe(v)}${hint}`)
  return undefined
}

function checkRegion(ctx: Ctx, e: Entry): string | undefined {
  const s = readString(ctx, e, 'input "region"')
  if (s === undefined) return undefined
  if (AWS_REGIONS.includes(s)) return s
  const hint = didYouMean(s, AWS_REGIONS, 3)
  ctx.at(
    e.valuePos,
    `input "region" must be an AWS region, got ${JSON.stringify(s)} - ${hint ?? `use one of ${AWS_REGIONS.join(', ')}`}`,
  )
  return undefined
}

function checkEnv(ctx: Ctx, e: Entry): Record<string, string> | undefined {
  const v = readValue(ctx, e.value, e.valuePos)
  if (v.kind === 'error') return undefined
  if (v.kind === 'null') return {}
  if (v.kind !== 'map') {
    ctx.at(e.valuePos, `input "env" must be a mapping of environment variable names to values, got ${v.kind === 'string' ? 'a string' : describe(v)}`)
    return undefined
  }
  const out: Record<string, string> = {}
  let ok = true
  for (const item of entries(ctx, v.node, e.valuePos)) {
    if (RESERVED_ENV.has(item.key)) {
      ok = false
      ctx.at(item.keyPos, `env name "${item.key}" is reserved: Lambda sets it itself - remove it from env`)
      continue
    }
    if (!ENV_NAME_RE.test(item.key)) {
      ok = false
      ctx.at(
        item.keyPos,
        `env name "${item.key}" is invalid: Lambda needs at least two characters, a letter first, then only letters, digits and "_"`,
      )
      continue
    }
    // never print env values: they may be secrets
    const iv = readValue(ctx, item.value, item.valuePos)
    switch (iv.kind) {
      case 'string':
        out[item.key] = iv.value
        break
      case 'number':
      case 'boolean':
        out[item.key] = String(iv.value)
        break
      case 'null':
        ok = false
        ctx.at(item.valuePos, `env "${item.key}" has no value - give it a value (use "" for an empty string) or remove it`)
        break
      case 'map':
      case 'seq':
        ok = false
        ctx.at(item.valuePos, `env "${item.key}" must be a string, number or boolean, got ${describe(iv)}`)
        break
      case 'error':
        ok = false
        break
    }
  }
  const size = Buffer.byteLength(JSON.stringify(out), 'utf8')
  if (size > ENV_MAX_BYTES) {
    ok = false
    ctx.at(
      e.keyPos,
      `input "env" is ${size} bytes (as JSON), over Lambda's 4 KB limit (${ENV_MAX_BYTES} bytes) for all environment variables together - move large values elsewhere (e.g. SSM Parameter Store)`,
    )
  }
  return ok ? out : undefined
}

function readNumber(ctx: Ctx, e: Entry, label: string, unit: string): number | undefined {
  const v = readValue(ctx, e.value, e.valuePos)
  if (v.kind === 'error') return undefined
  if (v.kind === 'number' && Number.isFinite(v.value)) return v.value
  if (v.kind === 'string' && v.substituted && NUMBER_RE.test(v.value.trim())) return Number(v.value.trim())
  let hint = ''
  if (v.kind === 'string' && !v.substituted && NUMBER_RE.test(v.value.trim())) hint = ' - remove the quotes'
  ctx.at(e.valuePos, `${label} must be a number of ${unit}, got ${describe(v)}${hint}`)
  return undefined
}

/** A string, or the text of a number/boolean (`runtime: 24`), for one-of-a-list checks; `shown` is for messages. */
function readWord(ctx: Ctx, e: Entry, label: string, allowedText: string): { word: string; shown: string } | undefined {
  const v = readValue(ctx, e.value, e.valuePos)
  if (v.kind === 'error') return undefined
  if (v.kind === 'string' || v.kind === 'number' || v.kind === 'boolean') return { word: String(v.value), shown: describe(v) }
  ctx.at(e.valuePos, `${label} must be ${allowedText}, got ${describe(v)}`)
  return undefined
}

function checkRuntime(ctx: Ctx, e: Entry): Runtime | undefined {
  const label = 'input "runtime"'
  const allowedText = RUNTIMES.join(' or ')
  const w = readWord(ctx, e, label, allowedText)
  if (w === undefined) return undefined
  const s = w.word
  if ((RUNTIMES as readonly string[]).includes(s)) return s as Runtime
  const node = NODEJS_RUNTIME_RE.exec(s)
  const major = node ? Number(node[1]) : undefined
  if (major !== undefined && major < 22) {
    const when = major === 20 ? ' in 2026' : ''
    ctx.at(
      e.valuePos,
      `${label} is ${w.shown}, which is deprecated: Lambda blocks creating and updating functions on Node.js ${major}${when} - use nodejs24.x (the default) or nodejs22.x`,
    )
    return undefined
  }
  const loose = RUNTIME_LOOSE_RE.exec(s)
  const wanted = loose ? `nodejs${Number(loose[1])}.x` : undefined
  const hint =
    wanted !== undefined && (RUNTIMES as readonly string[]).includes(wanted) ? `did you mean "${wanted}"?` : didYouMean(s, RUNTIMES)
  ctx.at(e.valuePos, `${label} must be ${allowedText}, got ${w.shown}${hint ? ` - ${hint}` : ''}`)
  return undefined
}

function checkArchitecture(ctx: Ctx, e: Entry): Architecture | undefined {
  const label = 'input "architecture"'
  const allowedText = ARCHITECTURES.join(' or ')
  const w = readWord(ctx, e, label, allowedText)
  if (w === undefined) return undefined
  const s = w.word
  if ((ARCHITECTURES as readonly string[]).includes(s)) return s as Architecture
  const alias = ARCHITECTURE_ALIASES[s.trim().toLowerCase()]
  const hint = alias !== undefined ? `did you mean "${alias}"?` : didYouMean(s, ARCHITECTURES)
  ctx.at(e.valuePos, `${label} must be ${allowedText}, got ${w.shown}${hint ? ` - ${hint}` : ''}`)
  return undefined
}

/** `input "policy[0].Action"` for the path policy[0].Action */
function inputLabel(p: string): string {
  return `input "${p}"`
}

/** Action/Resource values: a string or a non-empty list of strings, each passing `check` (which reports). */
function readStringOrList(
  ctx: Ctx,
  e: Entry,
  p: string,
  check: (ctx: Ctx, s: string, label: string, pos: number) => boolean,
): string | string[] | undefined {
  const label = inputLabel(p)
  const v = readValue(ctx, e.value, e.valuePos, true)
  if (v.kind === 'error') return undefined
  if (v.kind === 'string') return check(ctx, v.value, label, e.valuePos) ? v.value : undefined
  if (v.kind !== 'seq') {
    ctx.at(e.valuePos, `${label} must be a string or a list of strings, got ${describe(v)}`)
    return undefined
  }
  const items = listItems(ctx, v.node, e.valuePos)
  if (items.length === 0) {
    ctx.at(e.valuePos, `${label} must not be an empty list`)
    return undefined
  }
  const out: string[] = []
  let ok = true
  items.forEach((item, i) => {
    const itemLabel = inputLabel(`${p}[${i}]`)
    const iv = readValue(ctx, item.node, item.pos, true)
    if (iv.kind === 'error') {
      ok = false
    } else if (iv.kind !== 'string') {
      ok = false
      ctx.at(item.pos, `${itemLabel} must be a string, got ${describe(iv)}`)
    } else if (!check(ctx, iv.value, itemLabel, item.pos)) {
      ok = false
    } else {
      out.push(iv.value)
    }
  })
  return ok ? out : undefined
}

function checkAction(ctx: Ctx, s: string, label: string, pos: number): boolean {
  if (s === '*' || ACTION_RE.test(s)) return true
  const m = ACTION_FIXABLE_RE.exec(s.trim())
  const hint = m ? ` - did you mean "${m[1]!.toLowerCase()}:${m[2]}"?` : ''
  ctx.at(pos, `${label} must be "*" or service:Action (wildcards * allowed), e.g. "dynamodb:GetItem", got ${JSON.stringify(s)}${hint}`)
  return false
}

function checkResource(ctx: Ctx, s: string, label: string, pos: number): boolean {
  if (s === '*' || (s.startsWith('arn:') && s.split(':').length >= ARN_PARTS_MIN)) return true
  ctx.at(pos, `${label} must be "*" or an ARN (arn:partition:service:region:account:resource), got ${JSON.stringify(s)}`)
  return false
}

/** A YAML value as plain data, ${env.X} substituted (IAM policy variables kept); errors are reported. */
function toPlain(ctx: Ctx, node: Node | null, pos: number): unknown {
  const v = readValue(ctx, node, pos, true)
  switch (v.kind) {
    case 'string':
    case 'number':
    case 'boolean':
      return v.value
    case 'null':
    case 'error':
      return null
    case 'map': {
      const out: Record<string, unknown> = {}
      for (const item of entries(ctx, v.node, pos)) {
        // defineProperty: a "__proto__" key stays a plain key
        Object.defineProperty(out, item.key, {
          value: toPlain(ctx, item.value, item.valuePos),
          enumerable: true,
          writable: true,
          configurable: true,
        })
      }
      return out
    }
    case 'seq':
      return listItems(ctx, v.node, pos).map((item) => toPlain(ctx, item.node, item.pos))
  }
}

/** Exactly one of `a`/`b` (e.g. Action/NotAction); reports and returns undefined otherwise. */
function pickOne(
  ctx: Ctx,
  found: Map<StatementKey, Entry>,
  suggested: ReadonlySet<string>,
  a: StatementKey,
  b: StatementKey,
  label: string,
  pos: number,
  missing: string,
): Entry | undefined {
  const ea = found.get(a)
  const eb = found.get(b)
  if (ea && eb) {
    const later = ea.keyPos > eb.keyPos ? ea : eb
    ctx.at(later.keyPos, `${label} has both "${a}" and "${b}" - keep only one`)
    return undefined
  }
  if (!ea && !eb) {
    if (!suggested.has(a) && !suggested.has(b)) ctx.at(pos, `${label} has no "${a}" - ${missing}`)
    return undefined
  }
  return ea ?? eb
}

function checkStatement(ctx: Ctx, node: Node | null, pos: number, p: string): IamStatement | undefined {
  const label = inputLabel(p)
  const sub = (key: string) => inputLabel(`${p}.${key}`)
  const v = readValue(ctx, node, pos, true)
  if (v.kind === 'error') return undefined
  if (v.kind !== 'map') {
    ctx.at(pos, `${label} must be an IAM policy statement (a mapping with Effect, Action and Resource), got ${describe(v)}`)
    return undefined
  }
  const before = ctx.diagnostics.length
  const found = new Map<StatementKey, Entry>()
  /** keys a misspelt key was taken for ("effect" -> Effect): not reported missing as well */
  const suggested = new Set<string>()
  for (const e of entries(ctx, v.node, pos)) {
    if ((STATEMENT_KEYS as readonly string[]).includes(e.key)) {
      found.set(e.key as StatementKey, e)
    } else if (e.key === 'Principal' || e.key === 'NotPrincipal') {
      ctx.at(e.keyPos, `${label} must not have "${e.key}": the statement is added to the function role's own policy, whose principal is the role - remove it`)
    } else {
      for (const k of closest(e.key, STATEMENT_KEYS)) suggested.add(k)
      ctx.at(e.keyPos, `unknown key "${e.key}" in ${label} - ${didYouMean(e.key, STATEMENT_KEYS) ?? `allowed keys are ${STATEMENT_KEYS.join(', ')}`}`)
    }
  }

  let sid: string | undefined
  const sidEntry = found.get('Sid')
  if (sidEntry) {
    sid = readString(ctx, sidEntry, sub('Sid'))
    if (sid !== undefined && !SID_RE.test(sid)) {
      ctx.at(sidEntry.valuePos, `${sub('Sid')} must contain only letters and digits, got ${JSON.stringify(sid)}`)
      sid = undefined
    }
  }

  let effect: IamStatement['Effect'] | undefined
  const effectEntry = found.get('Effect')
  if (!effectEntry) {
    if (!suggested.has('Effect')) ctx.at(pos, `${label} has no "Effect" - add Effect: Allow (or Deny)`)
  } else {
    const w = readWord(ctx, effectEntry, sub('Effect'), EFFECTS.join(' or '))
    if (w !== undefined && (EFFECTS as readonly string[]).includes(w.word)) {
      effect = w.word as IamStatement['Effect']
    } else if (w !== undefined) {
      const hint = didYouMean(w.word, EFFECTS)
      ctx.at(effectEntry.valuePos, `${sub('Effect')} must be ${EFFECTS.join(' or ')}, got ${w.shown}${hint ? ` - ${hint}` : ''}`)
    }
  }

  const values = new Map<StatementKey, string | string[]>()
  for (const [key, check] of [
    ['Action', checkAction],
    ['NotAction', checkAction],
    ['Resource', checkResource],
    ['NotResource', checkResource],
  ] as const) {
    const e = found.get(key)
    const value = e && readStringOrList(ctx, e, `${p}.${key}`, check)
    if (value !== undefined) values.set(key, value)
  }
  const action = pickOne(ctx, found, suggested, 'Action', 'NotAction', label, pos, `add the actions it allows or denies, e.g. Action: "dynamodb:GetItem" (or use NotAction)`)
  const resource = pickOne(
    ctx,
    found,
    suggested,
    'Resource',
    'NotResource',
    label,
    pos,
    `add the resources it applies to, e.g. Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/my-table" or "*" (or use NotResource)`,
  )

  let condition: Record<string, unknown> | undefined
  const conditionEntry = found.get('Condition')
  if (conditionEntry) {
    const cv = readValue(ctx, conditionEntry.value, conditionEntry.valuePos, true)
    if (cv.kind === 'map') {
      condition = toPlain(ctx, cv.node, conditionEntry.valuePos) as Record<string, unknown>
    } else if (cv.kind !== 'error') {
      ctx.at(
        conditionEntry.valuePos,
        `${sub('Condition')} must be a mapping of condition operators to conditions, e.g. StringEquals: { "aws:RequestedRegion": us-east-1 }, got ${describe(cv)}`,
      )
    }
  }

  if (ctx.diagnostics.length !== before || effect === undefined || !action || !resource) return undefined
  const actionValue = values.get(action.key as StatementKey)
  const resourceValue = values.get(resource.key as StatementKey)
  if (actionValue === undefined || resourceValue === undefined) return undefined
  return {
    ...(sid !== undefined ? { Sid: sid } : {}),
    Effect: effect,
    [action.key]: actionValue,
    [resource.key]: resourceValue,
    ...(condition !== undefined ? { Condition: condition } : {}),
  }
}

function checkPolicy(ctx: Ctx, e: Entry): IamStatement[] | undefined {
  const v = readValue(ctx, e.value, e.valuePos)
  if (v.kind === 'error') return undefined
  if (v.kind === 'null') return []
  if (v.kind !== 'seq') {
    let hint = ''
    if (v.kind === 'map') {
      hint = v.node.has('Statement')
        ? ' - give only the statements (the list under "Statement"), not a whole policy document'
        : ' - put "- " before the statement to make it a list item'
    } else if (v.kind === 'string' && v.value.startsWith('arn:')) {
      hint = ' - managed policy ARNs are not supported; list the statements instead'
    }
    ctx.at(e.valuePos, `input "policy" must be a list of IAM policy statements, got ${describe(v)}${hint}`)
    return undefined
  }
  const before = ctx.diagnostics.length
  const out: IamStatement[] = []
  listItems(ctx, v.node, e.valuePos).forEach((item, i) => {
    const statement = checkStatement(ctx, item.node, item.pos, `policy[${i}]`)
    if (statement) out.push(statement)
  })
  return ctx.diagnostics.length === before ? out : undefined
}

function checkPermissionsBoundary(ctx: Ctx, e: Entry): string | undefined {
  const label = 'input "permissionsBoundary"'
  const s = readString(ctx, e, label)
  if (s === undefined) return undefined
  const problem = permissionsBoundaryProblem(s.trim())
  if (problem) {
    ctx.at(e.valuePos, `${label} ${problem}`)
    return undefined
  }
  return s.trim()
}

function checkThrottle(ctx: Ctx, e: Entry): { burstLimit?: number; rateLimit?: number } | undefined {
  const v = readValue(ctx, e.value, e.valuePos)
  if (v.kind === 'error') return undefined
  if (v.kind === 'null') return {}
  if (v.kind !== 'map') {
    ctx.at(e.valuePos, `input "throttle" must be a mapping with burstLimit and/or rateLimit, got ${describe(v)}`)
    return undefined
  }
  const before = ctx.diagnostics.length
  const out: { burstLimit?: number; rateLimit?: number } = {}
  for (const item of entries(ctx, v.node, e.valuePos)) {
    if (!(THROTTLE_KEYS as readonly string[]).includes(item.key)) {
      const alias = THROTTLE_ALIASES[item.key.toLowerCase()]
      const hint = alias !== undefined ? `did you mean "${alias}"?` : didYouMean(item.key, THROTTLE_KEYS)
      ctx.at(item.keyPos, `unknown key "${item.key}" in input "throttle" - ${hint ?? `allowed keys are ${THROTTLE_KEYS.join(', ')}`}`)
      continue
    }
    const key = item.key as ThrottleKey
    const label = inputLabel(`throttle.${key}`)
    const n =
      key === 'burstLimit'
        ? readInteger(ctx, item, label, 'requests')
        : readNumber(ctx, item, label, 'requests per second')
    if (n === undefined) continue
    if (n < 0) {
      ctx.at(item.valuePos, `${label} must be 0 or more, got ${n}`)
      continue
    }
    out[key] = n
  }
  return ctx.diagnostics.length === before ? out : undefined
}

// ---------------------------------------------------------------------------
// components

interface ComponentParse {
  parsed: ParsedComponent
  keyPos: number
  codePos?: number
  ok: boolean
}

function parseInputs(ctx: Ctx, map: YAMLMap, pos: number, codePos: { value?: number }): { inputs: SocketInputs; ok: boolean } {
  const inputs: SocketInputs = {}
  const before = ctx.diagnostics.length
  for (const e of entries(ctx, map, pos)) {
    if (!(INPUT_KEYS as readonly string[]).includes(e.key)) {
      ctx.at(e.keyPos, unknownKey('unknown input', e.key, INPUT_KEYS, `allowed inputs are ${INPUT_KEYS.join(', ')}`))
      continue
    }
    switch (e.key as InputKey) {
      case 'name': {
        const s = checkName(ctx, e, 'input "name"')
        if (s !== undefined) inputs.name = s
        break
      }
      case 'description': {
        const s = readString(ctx, e, 'input "description"')
        if (s === undefined) break
        if (s.length > DESCRIPTION_MAX) {
          ctx.at(e.valuePos, `input "description" is ${s.length} characters; Lambda allows at most ${DESCRIPTION_MAX} - shorten it`)
          break
        }
        inputs.description = s
        break
      }
      case 'region': {
        const s = checkRegion(ctx, e)
        if (s !== undefined) inputs.region = s
        break
      }
      case 'memory': {
        const n = readInteger(ctx, e, 'input "memory"', 'MB')
        if (n === undefined) break
        if (n < MEMORY_MIN || n > MEMORY_MAX) {
          ctx.at(e.valuePos, `input "memory" must be between ${MEMORY_MIN} and ${MEMORY_MAX} MB (Lambda's allowed range), got ${n}`)
          break
        }
        inputs.memory = n
        break
      }
      case 'logRetentionDays': {
        const n = readInteger(ctx, e, 'input "logRetentionDays"', 'days')
        if (n === undefined) break
        if (!LOG_RETENTION_DAYS.includes(n)) {
          const nearest = LOG_RETENTION_DAYS.reduce((best, d) => (Math.abs(d - n) < Math.abs(best - n) ? d : best))
          ctx.at(e.valuePos, `input "logRetentionDays" must be a retention CloudWatch Logs accepts, got ${n} - did you mean ${nearest}? (one of ${LOG_RETENTION_DAYS.join(', ')})`)
          break
        }
        inputs.logRetentionDays = n
        break
      }
      case 'timeout': {
        const n = readInteger(ctx, e, 'input "timeout"', 'seconds')
        if (n === undefined) break
        if (n < TIMEOUT_MIN || n > TIMEOUT_MAX) {
          ctx.at(
            e.valuePos,
            `input "timeout" must be between ${TIMEOUT_MIN} and ${TIMEOUT_MAX} seconds, got ${n}: API Gateway's WebSocket integration timeout is ${TIMEOUT_MAX} seconds, so a longer Lambda timeout could never be used`,
          )
          break
        }
        inputs.timeout = n
        break
      }
      case 'env': {
        const env = checkEnv(ctx, e)
        if (env !== undefined) inputs.env = env
        break
      }
      case 'code': {
        codePos.value = e.valuePos
        const s = readString(ctx, e, 'input "code"')
        if (s === undefined) break
        if (s.trim() === '') {
          ctx.at(e.valuePos, `input "code" must not be empty - give the folder that contains socket.js (e.g. ./), or remove it`)
          break
        }
        inputs.code = s
        break
      }
      case 'runtime': {
        const s = checkRuntime(ctx, e)
        if (s !== undefined) inputs.runtime = s
        break
      }
      case 'architecture': {
        const s = checkArchitecture(ctx, e)
        if (s !== undefined) inputs.architecture = s
        break
      }
      case 'policy': {
        const policy = checkPolicy(ctx, e)
        if (policy !== undefined) inputs.policy = policy
        const { line, col } = ctx.lineCounter.linePos(e.keyPos)
        inputs.policyAt = { line, column: col }
        break
      }
      case 'permissionsBoundary': {
        const s = checkPermissionsBoundary(ctx, e)
        if (s !== undefined) inputs.permissionsBoundary = s
        break
      }
      case 'throttle': {
        const throttle = checkThrottle(ctx, e)
        if (throttle !== undefined) inputs.throttle = throttle
        break
      }
    }
  }
  return { inputs, ok: ctx.diagnostics.length === before }
}

function parseComponent(ctx: Ctx, top: Entry, map: YAMLMap): ComponentParse | undefined {
  const before = ctx.diagnostics.length
  let component: string | undefined
  let inputs: SocketInputs = {}
  const codePos: { value?: number } = {}
  for (const e of entries(ctx, map, top.valuePos)) {
    if (e.key === 'component') {
      const s = readString(ctx, e, `"component" of "${top.key}"`)
      if (s === undefined) continue
      if (!SOCKET_COMPONENT_RE.test(s)) {
        ctx.at(e.valuePos, `component ${JSON.stringify(s)} is not supported: socket-action deploys only "${SOCKET_COMPONENT}" components`)
        continue
      }
      component = s
    } else if (e.key === 'inputs') {
      const v = readValue(ctx, e.value, e.valuePos)
      if (v.kind === 'null' || v.kind === 'error') continue
      if (v.kind !== 'map') {
        ctx.at(e.valuePos, `"inputs" of component "${top.key}" must be a mapping of input names to values, got ${describe(v)}`)
        continue
      }
      inputs = parseInputs(ctx, v.node, e.valuePos, codePos).inputs
    } else {
      ctx.at(
        e.keyPos,
        `unknown key "${e.key}" in component "${top.key}" - ${didYouMean(e.key, COMPONENT_KEYS) ?? `allowed keys are ${COMPONENT_KEYS.join(', ')}`}`,
      )
    }
  }
  if (component === undefined) return undefined
  return {
    parsed: { key: top.key, component, inputs, line: ctx.line(top.keyPos) },
    keyPos: top.keyPos,
    ...(codePos.value !== undefined ? { codePos: codePos.value } : {}),
    ok: ctx.diagnostics.length === before,
  }
}

// ---------------------------------------------------------------------------
// filesystem

async function statOrNull(p: string) {
  try {
    return await stat(p)
  } catch {
    return null
  }
}

function sanitizeName(folder: string): string {
  const s = folder
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64)
  return s === '' ? 'socket' : s
}

async function findHandler(
  ctx: Ctx,
  codeDir: string,
  code: string | undefined,
  codePos: number | undefined,
): Promise<string | undefined> {
  const report = (msg: string) => (codePos !== undefined ? ctx.at(codePos, msg) : ctx.atStart(msg))
  const where = code !== undefined ? `code folder ${JSON.stringify(code)} (resolved to ${codeDir})` : `the folder of serverless.yml (${codeDir})`
  const st = await statOrNull(codeDir)
  if (st === null) {
    report(`code folder ${JSON.stringify(code ?? '.')} not found (resolved to ${codeDir}) - create it or fix the path (relative paths are resolved against the folder of serverless.yml)`)
    return undefined
  }
  if (!st.isDirectory()) {
    report(`code ${JSON.stringify(code ?? '.')} is not a folder (resolved to ${codeDir}) - point "code" at the folder that contains socket.js`)
    return undefined
  }
  const found: string[] = []
  for (const f of HANDLER_FILES) {
    const s = await statOrNull(path.join(codeDir, f))
    if (s?.isFile()) found.push(f)
  }
  if (found.length === 0) {
    const fix =
      code !== undefined
        ? `create socket.js there, or point "code" at the folder that contains it`
        : `create socket.js next to serverless.yml, or set inputs.code to the folder that contains it`
    report(`no socket handler found in ${where}: looked for ${HANDLER_FILES.join(', ')} - ${fix}`)
    return undefined
  }
  if (found.length > 1) {
    report(`several socket handlers in ${where}: ${found.join(', ')} - keep only one of them`)
    return undefined
  }
  return path.join(codeDir, found[0]!)
}

// ---------------------------------------------------------------------------
// entry point

export async function loadConfig(configPath: string, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env
  const file = configPath
  const absFile = path.resolve(configPath)
  const dir = path.dirname(absFile)

  let src: string
  try {
    src = await readFile(absFile, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && options.optional && (await hasHandler(dir))) {
      return loadConfigText(ZERO_CONFIG, file, absFile, dir, env, options)
    }
    const message =
      code === 'ENOENT'
        ? `file not found: ${absFile} - create it (with e.g. ${SNIPPET}) or pass the right path`
        : code === 'EISDIR'
          ? `${absFile} is a folder, not a file - pass the path of the serverless.yml inside it`
          : `cannot read ${absFile}: ${(err as Error).message}`
    throw new ConfigError([{ file, line: 1, column: 1, message }])
  }
  return loadConfigText(src, file, absFile, dir, env, options)
}

/** A project with a socket.js and no serverless.yml: every input defaulted (the seed's "zero configuration"). */
const ZERO_CONFIG = `Socket:\n  component: "${SOCKET_COMPONENT}"\n`

async function hasHandler(dir: string): Promise<boolean> {
  for (const f of HANDLER_FILES) if ((await statOrNull(path.join(dir, f)))?.isFile()) return true
  return false
}

async function loadConfigText(
  src: string,
  file: string,
  absFile: string,
  dir: string,
  env: Record<string, string | undefined>,
  options: LoadConfigOptions,
): Promise<LoadedConfig> {
  const lineCounter = new LineCounter()
  const doc = parseDocument(src, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const ctx = new Ctx(file, lineCounter, doc, env)

  let fatal = false
  for (const err of doc.errors) {
    if (err.code === 'DUPLICATE_KEY') {
      const key = (/^[^:\n]*/.exec(src.slice(err.pos[0]))?.[0] ?? '').trim().replace(/^(["'])(.*)\1$/, '$2')
      ctx.at(err.pos[0], `duplicate key "${key}" - ${err.message.toLowerCase()}; remove or rename one of them`)
    } else {
      fatal = true
      ctx.at(err.pos[0], `YAML syntax error: ${err.message}`)
    }
  }
  if (fatal) throw new ConfigError(sortDiagnostics(ctx.diagnostics))

  const parsed: ParsedConfig = { file, components: [] }
  const comps: ComponentParse[] = []
  let sawComponentLike = false

  const root = deref(ctx, doc.contents)
  if (root == null || (isScalar(root) && root.value == null)) {
    ctx.atStart(`${path.basename(absFile)} is empty - add a socket component, e.g. ${SNIPPET}`)
    throw new ConfigError(ctx.diagnostics)
  }
  if (!isMap(root)) {
    const v = readValue(ctx, root, startOf(root) ?? 0)
    ctx.at(startOf(root) ?? 0, `the top level of ${path.basename(absFile)} must be a mapping (key: value lines), got ${describe(v)} - e.g. ${SNIPPET}`)
    throw new ConfigError(sortDiagnostics(ctx.diagnostics))
  }

  for (const e of entries(ctx, root, 0)) {
    if (e.key === 'name') {
      const s = checkName(ctx, e, 'top-level "name"')
      if (s !== undefined) parsed.name = s
      continue
    }
    if (e.key === 'stage') {
      const s = readString(ctx, e, 'top-level "stage"')
      if (s === undefined) continue
      const problem = stageNameProblem(s)
      if (problem) ctx.at(e.valuePos, `stage ${JSON.stringify(s)} is invalid: ${problem}`)
      else parsed.stage = s
      continue
    }
    const value = e.value
    if (isMap(value) && value.has('component')) {
      sawComponentLike = true
      const c = parseComponent(ctx, e, value)
      if (c) comps.push(c)
      continue
    }
    const hint = didYouMean(e.key, TOP_LEVEL_KEYS)
    if (hint) {
      ctx.at(e.keyPos, `unknown top-level key "${e.key}" - ${hint}`)
    } else if (isMap(value)) {
      sawComponentLike = true
      ctx.at(
        e.keyPos,
        `top-level key "${e.key}" has no "component:" - add component: "${SOCKET_COMPONENT}" to deploy it as a socket, or remove it`,
      )
    } else {
      ctx.at(
        e.keyPos,
        `unknown top-level key "${e.key}" - allowed are name, stage and socket components such as ${SNIPPET}`,
      )
    }
  }

  let stage = parsed.stage
  let stageDefaulted = false
  if (options.stage !== undefined) {
    const problem = stageNameProblem(options.stage)
    if (problem) ctx.atStart(`stage ${JSON.stringify(options.stage)} (given as an option) is invalid: ${problem}`)
    else stage = options.stage
  }
  if (stage === undefined) {
    stage = DEFAULT_STAGE
    stageDefaulted = true
  }

  if (comps.length === 0 && !sawComponentLike) {
    ctx.atStart(`no socket component found - add one, e.g. ${SNIPPET}`)
  }

  const sockets: SocketConfig[] = []
  const seenApps = new Map<string, string>()
  for (const c of comps) {
    parsed.components.push(c.parsed)
    const inputs = c.parsed.inputs
    const defaulted: DefaultableField[] = []
    let app = inputs.name ?? parsed.name
    if (app === undefined) {
      app = sanitizeName(path.basename(dir))
      defaulted.push('app')
    }
    if (stageDefaulted) defaulted.push('stage')
    const region = inputs.region ?? (defaulted.push('region'), DEFAULT_REGION)
    const memory = inputs.memory ?? (defaulted.push('memory'), DEFAULT_MEMORY)
    const timeout = inputs.timeout ?? (defaulted.push('timeout'), DEFAULT_TIMEOUT)
    const description = inputs.description ?? (defaulted.push('description'), `socket-action backend ${app}`)
    const socketEnv = inputs.env ?? (defaulted.push('env'), {})
    const codeDir = inputs.code !== undefined ? path.resolve(dir, inputs.code) : (defaulted.push('code'), dir)
    const runtime = inputs.runtime ?? (defaulted.push('runtime'), DEFAULT_RUNTIME)
    const architecture = inputs.architecture ?? (defaulted.push('architecture'), DEFAULT_ARCHITECTURE)
    const policy = inputs.policy ?? (defaulted.push('policy'), [])
    const throttle = inputs.throttle
    if (throttle === undefined) defaulted.push('throttle')
    const logRetentionDays = inputs.logRetentionDays ?? (defaulted.push('logRetentionDays'), DEFAULT_LOG_RETENTION_DAYS)
    const permissionsBoundary = inputs.permissionsBoundary
    if (permissionsBoundary === undefined) defaulted.push('permissionsBoundary')

    // a `code` value that failed validation was already reported; don't pile on
    const codeBroken = c.codePos !== undefined && inputs.code === undefined
    const handlerFile = codeBroken ? undefined : await findHandler(ctx, codeDir, inputs.code, c.codePos)

    const target = `${app}/${region}`
    const other = seenApps.get(target)
    if (other !== undefined) {
      ctx.at(
        c.keyPos,
        `components "${other}" and "${c.parsed.key}" would both deploy as "${app}" in ${region} - give one of them a different inputs.name`,
      )
    } else {
      seenApps.set(target, c.parsed.key)
    }

    if (handlerFile === undefined || !c.ok) continue
    sockets.push({
      componentKey: c.parsed.key,
      configFile: absFile,
      app,
      stage,
      region,
      memory,
      timeout,
      description,
      env: socketEnv,
      codeDir,
      handlerFile,
      runtime,
      architecture,
      policy,
      ...(inputs.policyAt ? { policyAt: inputs.policyAt } : {}),
      ...(throttle !== undefined ? { throttle } : {}),
      logRetentionDays,
      ...(permissionsBoundary !== undefined ? { permissionsBoundary } : {}),
      defaulted,
    })
  }

  if (ctx.diagnostics.length > 0) throw new ConfigError(sortDiagnostics(ctx.diagnostics))
  return { parsed, sockets }
}

function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds
    .map((d, i) => ({ d, i }))
    .sort((a, b) => a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i)
    .map(({ d }) => d)
}
