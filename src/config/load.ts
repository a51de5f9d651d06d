// serverless.yml: parsed with `yaml` (positions), validated by ajv against schema/serverless.schema.json (the schema
// editors use too), each schema error turned into a `file:line:col: message` with the fix. Beside the schema: ${env.X}
// substitution, did-you-mean hints, deprecations, the 4 KB env total and the filesystem (code folder, socket.js).
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { Ajv } from 'ajv'
import type { ErrorObject } from 'ajv'
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml'
import type { Document, Node, Pair } from 'yaml'
import schema from '../../schema/serverless.schema.json' with { type: 'json' }
import { permissionsBoundaryProblem } from './boundary.ts'
import { ConfigError } from './diagnostics.ts'
import type { Diagnostic } from './diagnostics.ts'
import { AWS_REGIONS } from './regions.ts'
import { closest, didYouMean } from './suggest.ts'
import type { DefaultableField, LoadConfigOptions, LoadedConfig, ParsedConfig, SocketConfig, SocketInputs } from './types.ts'

const D = schema.definitions
const INPUTS = D.inputs.properties
const TOP_LEVEL_KEYS = Object.keys(schema.properties)
const COMPONENT_KEYS = Object.keys(D.component.properties)
const INPUT_KEYS = Object.keys(INPUTS)
const STATEMENT_KEYS = Object.keys(D.statement.properties)
const THROTTLE_KEYS = Object.keys(INPUTS.throttle.properties)
const RESERVED_ENV = INPUTS.env.propertyNames.not.enum
/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = D.retentionDays.enum
const validate = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(schema)

const SOCKET_COMPONENT = '@serverless/socket'
const HANDLER_FILES = ['socket.js', 'socket.ts', 'socket.mjs'] as const
const SNIPPET = `Socket: { component: "${SOCKET_COMPONENT}" }`
const STAGE_RE = /^[A-Za-z0-9_-]{1,64}$/
const STAGE_RULE = `API Gateway stage names may contain only letters, digits, "-" and "_" (1-64 characters)`
const ENV_NAME_RE = new RegExp(Object.keys(INPUTS.env.patternProperties)[0]!)
const ENV_REF_RE = /\$\{env\.([^}]*)\}/g
const OTHER_VAR_RE = /\$\{[^}]*\}/g
const NUMBER_RE = /^-?\d+(\.\d+)?$/
/** Inputs whose ${env.X} text is read as a number. */
const NUMERIC = new Set(['memory', 'timeout', 'logRetentionDays', 'throttle/burstLimit', 'throttle/rateLimit'])
/**
 * IAM policy variables such as ${aws:username} or ${*}, kept as-is in policy strings. Not ${s3:...},
 * ${aws:region} or ${aws:accountId}: those are Serverless Framework variables, which are not supported.
 */
const IAM_VAR_RE =
  /^\$\{(?:(?:aws|saml|sts|ec2|iam|cognito-identity\.amazonaws\.com|www\.amazon\.com|graph\.facebook\.com|accounts\.google\.com):[^}]+|[*?$])\}$/i
const SERVERLESS_AWS_VAR_RE = /^\$\{aws:(region|accountId)\}$/i
const NODEJS_RUNTIME_RE = /^nodejs(\d+)(\.x)?$/i
const RUNTIME_LOOSE_RE = /^(?:node(?:js)?)?[\s_-]*(\d+)(?:\.x)?$/i
const ARCHITECTURE_ALIASES: Record<string, string> = {
  'x86-64': 'x86_64', x8664: 'x86_64', amd64: 'x86_64', x64: 'x86_64', x86: 'x86_64', intel: 'x86_64',
  aarch64: 'arm64', arm: 'arm64', arm64v8: 'arm64', graviton: 'arm64',
}
const THROTTLE_ALIASES: Record<string, string> = {
  throttlingburstlimit: 'burstLimit', throttlingratelimit: 'rateLimit', burst: 'burstLimit', rate: 'rateLimit',
}
const ACTION_FIXABLE_RE = /^([A-Za-z0-9-]+)\s*(?:[./_ ]|::)\s*([A-Za-z0-9*?]+)$/
const ENV_MAX_BYTES = 4096
const DEFAULT_STAGE = schema.properties.stage.default

type Seg = string | number
type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const pathKey = (p: readonly Seg[]) => p.map((s) => `${s}\0`).join('')

class Ctx {
  readonly diagnostics: Diagnostic[] = []
  /** key and value position of every path read */
  readonly pos = new Map<string, { key: number; value: number }>()
  /** paths with a problem reported: nothing under them is reported again */
  readonly reported: string[] = []
  /** paths with a problem: their component is not deployed */
  readonly broken: string[] = []
  readonly substituted = new Set<string>()
  constructor(
    readonly file: string,
    readonly lineCounter: LineCounter,
    readonly doc: Document,
    readonly env: Record<string, string | undefined>,
  ) {}

  at(offset: number, message: string, p?: readonly Seg[], final = true): void {
    const { line, col } = this.lineCounter.linePos(offset)
    this.diagnostics.push({ file: this.file, line, column: col, message })
    if (p) this.broken.push(pathKey(p))
    if (p && final) this.reported.push(pathKey(p))
  }

  /** a problem at or above `p` was reported */
  done(p: readonly Seg[]): boolean {
    const k = pathKey(p)
    return this.reported.some((r) => k.startsWith(r))
  }

  /** no problem at or under `p` */
  ok(p: readonly Seg[]): boolean {
    const k = pathKey(p)
    return !this.broken.some((b) => b.startsWith(k))
  }

  keyPos(p: readonly Seg[]): number {
    return this.pos.get(pathKey(p))?.key ?? 0
  }

  valuePos(p: readonly Seg[]): number {
    return this.pos.get(pathKey(p))?.value ?? 0
  }
}

function deref(ctx: Ctx, node: unknown): Node | null {
  let n = node
  for (let i = 0; i < 20 && isAlias(n); i++) n = n.resolve(ctx.doc)
  return (n ?? null) as Node | null
}

function startOf(node: unknown): number | undefined {
  return (node as { range?: [number, number, number] } | null)?.range?.[0]
}

/** `policyVars`: leave IAM policy variables (${aws:username}) alone instead of reporting them. */
function substitute(ctx: Ctx, raw: string, pos: number, p: Seg[], policyVars: boolean): string | undefined {
  let ok = true
  const value = raw.replace(ENV_REF_RE, (whole, name: string) => {
    ctx.substituted.add(pathKey(p))
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      ok = false
      ctx.at(pos, `invalid reference ${whole}: write \${env.NAME} where NAME is an environment variable name`, p)
      return ''
    }
    const v = ctx.env[name]
    if (v !== undefined) return v
    ok = false
    ctx.at(pos, `environment variable "${name}" is not set (used by \${env.${name}}); set it or remove the reference`, p)
    return ''
  })
  if (!ok) return undefined
  // only ${env.X} is supported; anything else left over is a mistake (e.g. ${self:...}, ${opt:stage})
  const rest = raw
    .replace(ENV_REF_RE, '')
    .match(OTHER_VAR_RE)
    ?.find((v) => !(policyVars && IAM_VAR_RE.test(v) && !SERVERLESS_AWS_VAR_RE.test(v)))
  if (rest === undefined) return value
  const also = policyVars ? ' (and, in policy, IAM policy variables such as ${aws:username})' : ''
  ctx.at(pos, `unsupported variable ${rest}: only \${env.NAME} references are supported${also}`, p)
  return undefined
}

/** The YAML as plain data for the schema, ${env.X} substituted, every path's position recorded. */
function toData(ctx: Ctx, node: unknown, p: Seg[], pos: number, keyPos: number): unknown {
  const n = deref(ctx, node)
  ctx.pos.set(pathKey(p), { key: keyPos, value: pos })
  if (isMap(n)) {
    const out: Obj = {}
    for (const item of n.items as Pair<unknown, unknown>[]) {
      const keyNode = deref(ctx, item.key)
      const kPos = startOf(item.key) ?? startOf(keyNode) ?? pos
      if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
        ctx.at(kPos, 'keys must be plain names (not lists, mappings or empty keys)', p, false)
        continue
      }
      const key = String(keyNode.value)
      if (Object.hasOwn(out, key)) continue // a duplicate, reported by yaml
      const v = deref(ctx, item.value)
      const empty = v == null || (isScalar(v) && v.value == null && (v.source === '' || v.source == null))
      const value = toData(ctx, item.value, [...p, key], empty ? kPos : (startOf(item.value) ?? kPos), kPos)
      // defineProperty: a "__proto__" key stays a plain key
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
    }
    return out
  }
  if (isSeq(n)) return n.items.map((item, i) => toData(ctx, item, [...p, i], startOf(item) ?? pos, startOf(item) ?? pos))
  const v = isScalar(n) ? n.value : null
  if (v == null) return null
  if (typeof v === 'bigint') return Number(v)
  if (typeof v !== 'string') return typeof v === 'number' || typeof v === 'boolean' ? v : String(v)
  const s = substitute(ctx, v, pos, p, p[1] === 'inputs' && p[2] === 'policy')
  if (s === undefined) return null
  const numeric = ctx.substituted.has(pathKey(p)) && p[1] === 'inputs' && NUMERIC.has(p.slice(2).join('/'))
  return numeric && NUMBER_RE.test(s.trim()) ? Number(s.trim()) : s
}

function describe(v: unknown): string {
  if (v == null) return 'an empty value'
  if (Array.isArray(v)) return 'a list'
  if (typeof v === 'object') return 'a mapping'
  return typeof v === 'string' ? JSON.stringify(v) : String(v)
}

// ---------------------------------------------------------------------------
// messages: ajv says where the file breaks the schema; these say what is wrong there and how to fix it

interface At {
  v: unknown
  label: string
  sub: boolean
  p: string[]
}
type Message = (at: At) => string

const str = ({ v, label }: At) =>
  `${label} must be a string, got ${describe(v)}${typeof v === 'number' || typeof v === 'boolean' ? ` - put it in quotes if you mean the text "${v}"` : ''}`
const ifString = (m: (s: string, at: At) => string): Message => (at) => (typeof at.v === 'string' ? m(at.v, at) : str(at))
const number = (what: string, range: (n: number, label: string) => string, integer = true): Message => (at) => {
  const { v, label, sub } = at
  if (typeof v === 'number' && (!integer || Number.isInteger(v))) return range(v, label)
  const hint = typeof v === 'string' && !sub && NUMBER_RE.test(v.trim()) ? ' - remove the quotes' : ''
  return `${label} must be ${what}, got ${describe(v)}${hint}`
}
/** One of a few words; `hint` may suggest one for a near miss. */
const choice = (allowed: readonly string[], hint: (w: string) => string | undefined = (w) => didYouMean(w, allowed)): Message =>
  ({ v, label }) => {
    const base = `${label} must be ${allowed.join(' or ')}, got ${describe(v)}`
    const h = v === null || typeof v === 'object' ? undefined : hint(String(v))
    return h ? `${base} - ${h}` : base
  }
const nameRule = ifString((s, { label }) => `${label} must be 1-64 characters of letters, digits, "-" and "_", starting with a letter or digit, got ${JSON.stringify(s)}`)
const action = (s: string, { label }: At) => {
  const m = ACTION_FIXABLE_RE.exec(s.trim())
  const hint = m ? ` - did you mean "${m[1]!.toLowerCase()}:${m[2]}"?` : ''
  return `${label} must be "*" or service:Action (wildcards * allowed), e.g. "dynamodb:GetItem", got ${JSON.stringify(s)}${hint}`
}
const resource = (s: string, { label }: At) =>
  `${label} must be "*" or an ARN (arn:partition:service:region:account:resource), got ${JSON.stringify(s)}`
const item = (m: (s: string, at: At) => string): Message => (at) =>
  typeof at.v === 'string' ? m(at.v, at) : `${at.label} must be a string, got ${describe(at.v)}`
const list = (item: (s: string, at: At) => string): Message => (at) =>
  typeof at.v === 'string' ? item(at.v, at)
  : Array.isArray(at.v) ? `${at.label} must not be an empty list`
  : `${at.label} must be a string or a list of strings, got ${describe(at.v)}`
const notNegative = (n: number, label: string) => `${label} must be 0 or more, got ${n}`

/** By field: @name for the top level and the component's own keys, the input's path (# a list index) for inputs. */
const VALUE: Record<string, Message> = {
  '@name': nameRule,
  '@stage': ifString((s) => `stage ${JSON.stringify(s)} is invalid: ${STAGE_RULE}`),
  '@component': (at) =>
    typeof at.v === 'string'
      ? `component ${JSON.stringify(at.v)} is not supported: socket-action deploys only "${SOCKET_COMPONENT}" components`
      : str({ ...at, label: `"component" of "${at.p[0]}"` }),
  '@inputs': ({ v, p }) => `"inputs" of component "${p[0]}" must be a mapping of input names to values, got ${describe(v)}`,
  name: nameRule,
  description: ifString((s, { label }) => `${label} is ${s.length} characters; Lambda allows at most ${INPUTS.description.maxLength} - shorten it`),
  region: ifString((s, { label }) => `${label} must be an AWS region, got ${JSON.stringify(s)} - ${didYouMean(s, AWS_REGIONS, 3) ?? `use one of ${AWS_REGIONS.join(', ')}`}`),
  memory: number('an integer number of MB', (n, label) => {
    const { minimum, maximum } = INPUTS.memory
    return `${label} must be between ${minimum} and ${maximum} MB (Lambda's allowed range), got ${n}`
  }),
  timeout: number('an integer number of seconds', (n, label) => {
    const { minimum, maximum } = INPUTS.timeout
    return `${label} must be between ${minimum} and ${maximum} seconds, got ${n}: API Gateway's WebSocket integration timeout is ${maximum} seconds, so a longer Lambda timeout could never be used`
  }),
  logRetentionDays: number('an integer number of days', (n, label) => {
    const nearest = LOG_RETENTION_DAYS.reduce((best, d) => (Math.abs(d - n) < Math.abs(best - n) ? d : best))
    return `${label} must be a retention CloudWatch Logs accepts, got ${n} - did you mean ${nearest}? (one of ${LOG_RETENTION_DAYS.join(', ')})`
  }),
  env: ({ v, label }) => `${label} must be a mapping of environment variable names to values, got ${typeof v === 'string' ? 'a string' : describe(v)}`,
  // never print env values: they may be secrets
  'env/*': ({ v, p }) =>
    v === null
      ? `env "${p[3]}" has no value - give it a value (use "" for an empty string) or remove it`
      : `env "${p[3]}" must be a string, number or boolean, got ${describe(v)}`,
  code: ifString((_, { label }) => `${label} must not be empty - give the folder that contains socket.js (e.g. ./), or remove it`),
  runtime: (at) => {
    const major = Number(NODEJS_RUNTIME_RE.exec(String(at.v))?.[1])
    if (major < 22 && typeof at.v === 'string') {
      const when = major === 20 ? ' in 2026' : ''
      return `${at.label} is ${describe(at.v)}, which is deprecated: Lambda blocks creating and updating functions on Node.js ${major}${when} - use nodejs24.x (the default) or nodejs22.x`
    }
    return choice(D.runtimes.enum, (w) => {
      const loose = RUNTIME_LOOSE_RE.exec(w)
      const wanted = loose ? `nodejs${Number(loose[1])}.x` : ''
      return D.runtimes.enum.includes(wanted) ? `did you mean "${wanted}"?` : didYouMean(w, D.runtimes.enum)
    })(at)
  },
  architecture: choice(D.architectures.enum, (w) => {
    const alias = ARCHITECTURE_ALIASES[w.trim().toLowerCase()]
    return alias !== undefined ? `did you mean "${alias}"?` : didYouMean(w, D.architectures.enum)
  }),
  policy: ({ v, label }) => {
    let hint = ''
    if (isObj(v)) hint = 'Statement' in v ? ' - give only the statements (the list under "Statement"), not a whole policy document' : ' - put "- " before the statement to make it a list item'
    else if (typeof v === 'string' && v.startsWith('arn:')) hint = ' - managed policy ARNs are not supported; list the statements instead'
    return `${label} must be a list of IAM policy statements, got ${describe(v)}${hint}`
  },
  'policy/#': ({ v, label }) => `${label} must be an IAM policy statement (a mapping with Effect, Action and Resource), got ${describe(v)}`,
  'policy/#/Sid': ifString((s, { label }) => `${label} must contain only letters and digits, got ${JSON.stringify(s)}`),
  'policy/#/Effect': choice(D.effects.enum),
  'policy/#/Action': list(action),
  'policy/#/NotAction': list(action),
  'policy/#/Action/#': item(action),
  'policy/#/NotAction/#': item(action),
  'policy/#/Resource': list(resource),
  'policy/#/NotResource': list(resource),
  'policy/#/Resource/#': item(resource),
  'policy/#/NotResource/#': item(resource),
  'policy/#/Condition': ({ v, label }) =>
    `${label} must be a mapping of condition operators to conditions, e.g. StringEquals: { "aws:RequestedRegion": us-east-1 }, got ${describe(v)}`,
  permissionsBoundary: ifString((s, { label }) => `${label} ${permissionsBoundaryProblem(s.trim())}`),
  throttle: ({ v, label }) => `${label} must be a mapping with burstLimit and/or rateLimit, got ${describe(v)}`,
  'throttle/burstLimit': number('an integer number of requests', notNegative),
  'throttle/rateLimit': number('a number of requests per second', notNegative, false),
}

const allowed = (key: string, keys: readonly string[], what: string) => didYouMean(key, keys) ?? `allowed ${what} ${keys.join(', ')}`
/** A key the schema does not allow, by the field of the mapping it is in. */
const KEY: Record<string, (key: string, at: At) => string> = {
  '@*': (key, { p }) => `unknown key "${key}" in component "${p[0]}" - ${allowed(key, COMPONENT_KEYS, 'keys are')}`,
  '@inputs': (key) => `unknown input "${key}" - ${allowed(key, INPUT_KEYS, 'inputs are')}`,
  env: (key) =>
    RESERVED_ENV.includes(key)
      ? `env name "${key}" is reserved: Lambda sets it itself - remove it from env`
      : `env name "${key}" is invalid: Lambda needs at least two characters, a letter first, then only letters, digits and "_"`,
  'policy/#': (key, { label }) =>
    key === 'Principal' || key === 'NotPrincipal'
      ? `${label} must not have "${key}": the statement is added to the function role's own policy, whose principal is the role - remove it`
      : `unknown key "${key}" in ${label} - ${allowed(key, STATEMENT_KEYS, 'keys are')}`,
  throttle: (key, { label }) => {
    const alias = THROTTLE_ALIASES[key.toLowerCase()]
    return `unknown key "${key}" in ${label} - ${alias !== undefined ? `did you mean "${alias}"?` : allowed(key, THROTTLE_KEYS, 'keys are')}`
  },
}

const isComponent = (v: unknown): v is Obj => isObj(v) && Object.hasOwn(v, 'component')

function topLevelMessage(key: string, v: unknown): string {
  const hint = didYouMean(key, TOP_LEVEL_KEYS)
  if (hint) return `unknown top-level key "${key}" - ${hint}`
  if (isObj(v)) return `top-level key "${key}" has no "component:" - add component: "${SOCKET_COMPONENT}" to deploy it as a socket, or remove it`
  return `unknown top-level key "${key}" - allowed are ${TOP_LEVEL_KEYS.join(', ')} and socket components such as ${SNIPPET}`
}

/** The field of a path (a key of VALUE and KEY) and how messages name it. */
function fieldOf(data: Obj, p: string[]): { field: string; label: string } {
  if (p.length === 1) return { field: TOP_LEVEL_KEYS.includes(p[0]!) ? `@${p[0]}` : '@*', label: `top-level "${p[0]}"` }
  if (p.length === 2 || p[1] !== 'inputs') return { field: `@${p[1]}`, label: '' }
  let v = (data[p[0]!] as Obj).inputs
  const field: string[] = []
  let label = ''
  for (const s of p.slice(2)) {
    const list = Array.isArray(v)
    field.push(list ? '#' : field.join('/') === 'env' ? '*' : s)
    label += list ? `[${s}]` : label ? `.${s}` : s
    v = (v as Obj | undefined)?.[s]
  }
  return { field: field.join('/'), label: `input "${label}"` }
}

/** Every schema error of `data`, as a message at its line, one per place. */
function check(ctx: Ctx, data: Obj): void {
  if (validate(data)) return
  const statements = new Map<string, () => void>()
  for (const e of validate.errors as ErrorObject[]) {
    const p = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    if (p[0] === undefined) continue
    if (!TOP_LEVEL_KEYS.includes(p[0]) && !isComponent(data[p[0]])) {
      if (!ctx.done([p[0]])) ctx.at(ctx.keyPos([p[0]]), topLevelMessage(p[0], data[p[0]]), [p[0]])
      continue
    }
    const key = (e.params.additionalProperty ?? e.params.propertyName ?? e.propertyName) as string | undefined
    const where = key === undefined ? p : [...p, key]
    if (ctx.done(where)) continue
    const { field, label } = fieldOf(data, p)
    const at = { v: p.reduce<unknown>((v, s) => (v as Obj)[s], data), label, sub: ctx.substituted.has(pathKey(p)), p }
    if (key !== undefined) ctx.at(ctx.keyPos(where), (KEY[field] ?? (() => `${label} ${e.message}`))(key, at), where)
    else if (field === 'policy/#' && isObj(at.v)) statements.set(pathKey(p), checkStatement.bind(null, ctx, at.v, p, label))
    else ctx.at(ctx.valuePos(p), (VALUE[field] ?? (() => `${label} ${e.message}`))(at), p)
  }
  for (const checkOne of statements.values()) checkOne()
}

/** What `required` and the Action/NotAction, Resource/NotResource rules of a statement mean. */
function checkStatement(ctx: Ctx, s: Obj, p: string[], label: string): void {
  const has = (k: string) => Object.hasOwn(s, k)
  /** keys a misspelt key was taken for ("effect" -> Effect): not reported missing as well */
  const suggested = new Set(Object.keys(s).filter((k) => !STATEMENT_KEYS.includes(k) && !/^(Not)?Principal$/.test(k)).flatMap((k) => closest(k, STATEMENT_KEYS)))
  const pos = ctx.valuePos(p)
  if (!has('Effect') && !suggested.has('Effect')) ctx.at(pos, `${label} has no "Effect" - add Effect: Allow (or Deny)`, p)
  for (const [a, b, add] of [
    ['Action', 'NotAction', 'add the actions it allows or denies, e.g. Action: "dynamodb:GetItem" (or use NotAction)'],
    ['Resource', 'NotResource', 'add the resources it applies to, e.g. Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/my-table" or "*" (or use NotResource)'],
  ] as const) {
    if (has(a) && has(b)) ctx.at(Math.max(ctx.keyPos([...p, a]), ctx.keyPos([...p, b])), `${label} has both "${a}" and "${b}" - keep only one`, p)
    else if (!has(a) && !has(b) && !suggested.has(a) && !suggested.has(b)) ctx.at(pos, `${label} has no "${a}" - ${add}`, p)
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
  const report = (msg: string) => (codePos !== undefined ? ctx.at(codePos, msg) : ctx.at(0, msg))
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
  const fail = () => new ConfigError(sortDiagnostics(ctx.diagnostics))

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
  if (fatal) throw fail()

  const rootNode = deref(ctx, doc.contents)
  if (rootNode == null || (isScalar(rootNode) && rootNode.value == null)) {
    ctx.at(0, `${path.basename(absFile)} is empty - add a socket component, e.g. ${SNIPPET}`)
    throw fail()
  }
  const data = toData(ctx, doc.contents, [], startOf(rootNode) ?? 0, 0)
  if (!isObj(data)) {
    if (!ctx.done([])) {
      ctx.at(startOf(rootNode) ?? 0, `the top level of ${path.basename(absFile)} must be a mapping (key: value lines), got ${describe(data)} - e.g. ${SNIPPET}`)
    }
    throw fail()
  }
  check(ctx, data)

  const keys = Object.keys(data).filter((k) => !TOP_LEVEL_KEYS.includes(k))
  if (!keys.some((k) => isComponent(data[k]) || (isObj(data[k]) && !didYouMean(k, TOP_LEVEL_KEYS)))) {
    ctx.at(0, `no socket component found - add one, e.g. ${SNIPPET}`)
  }
  const valid = (p: Seg[], v: unknown) => (v !== undefined && ctx.ok(p) ? v : undefined)
  const parsed: ParsedConfig = { file, components: [] }
  const name = valid(['name'], data.name) as string | undefined
  const fileStage = valid(['stage'], data.stage) as string | undefined
  if (name !== undefined) parsed.name = name
  if (fileStage !== undefined) parsed.stage = fileStage

  let stage = fileStage
  if (options.stage !== undefined) {
    if (STAGE_RE.test(options.stage)) stage = options.stage
    else ctx.at(0, `stage ${JSON.stringify(options.stage)} (given as an option) is invalid: ${STAGE_RULE}`)
  }

  const sockets: SocketConfig[] = []
  const seenApps = new Map<string, string>()
  for (const key of keys) {
    const c = data[key]
    if (!isComponent(c) || !ctx.ok([key, 'component'])) continue
    const given = isObj(c.inputs) ? c.inputs : {}
    const input = (k: string) => valid([key, 'inputs', k], given[k])
    const inputs: SocketInputs = {}
    for (const k of INPUT_KEYS) {
      let v = input(k)
      if (k === 'env' && isObj(v)) v = Object.fromEntries(Object.entries(v).map(([name, value]) => [name, String(value)]))
      if (k === 'env' || k === 'policy' || k === 'throttle') v = v === null ? (k === 'policy' ? [] : {}) : v
      if (k === 'permissionsBoundary' && typeof v === 'string') v = v.trim()
      if (v !== undefined) Object.assign(inputs, { [k]: v })
    }
    if (Object.hasOwn(given, 'policy')) {
      const { line, col } = lineCounter.linePos(ctx.keyPos([key, 'inputs', 'policy']))
      inputs.policyAt = { line, column: col }
    }
    if (isObj(given.env)) {
      const kept = Object.entries(given.env).filter(([k, v]) => v !== null && typeof v !== 'object' && ctx.ok([key, 'inputs', 'env', k]))
      const size = Buffer.byteLength(JSON.stringify(Object.fromEntries(kept.map(([k, v]) => [k, String(v)]))), 'utf8')
      if (size > ENV_MAX_BYTES) {
        ctx.at(
          ctx.keyPos([key, 'inputs', 'env']),
          `input "env" is ${size} bytes (as JSON), over Lambda's 4 KB limit (${ENV_MAX_BYTES} bytes) for all environment variables together - move large values elsewhere (e.g. SSM Parameter Store)`,
          [key, 'inputs', 'env'],
        )
      }
    }
    const keyPos = ctx.keyPos([key])
    parsed.components.push({ key, component: c.component as string, inputs, line: lineCounter.linePos(keyPos).line })

    const defaulted: DefaultableField[] = []
    const or = <T>(field: DefaultableField, v: T | undefined, fallback: T): T => (v !== undefined ? v : (defaulted.push(field), fallback))
    const app = or('app', inputs.name ?? parsed.name, sanitizeName(path.basename(dir)))
    if (stage === undefined) defaulted.push('stage')
    const region = or('region', inputs.region, INPUTS.region.default)
    const memory = or('memory', inputs.memory, INPUTS.memory.default)
    const timeout = or('timeout', inputs.timeout, INPUTS.timeout.default)
    const description = or('description', inputs.description, `socket-action backend ${app}`)
    const socketEnv = or('env', inputs.env, {})
    const codeDir = or('code', inputs.code === undefined ? undefined : path.resolve(dir, inputs.code), dir)
    const runtime = or('runtime', inputs.runtime, INPUTS.runtime.default as SocketConfig['runtime'])
    const architecture = or('architecture', inputs.architecture, INPUTS.architecture.default as SocketConfig['architecture'])
    const policy = or('policy', inputs.policy, [])
    const throttle = or('throttle', inputs.throttle, undefined)
    /** A month: enough to look back at a preview's or an incident's logs; Lambda's own default keeps them (and bills) forever. */
    const logRetentionDays = or('logRetentionDays', inputs.logRetentionDays, INPUTS.logRetentionDays.default)
    const permissionsBoundary = or('permissionsBoundary', inputs.permissionsBoundary, undefined)

    // a `code` value that failed validation was already reported; don't pile on
    const codePos = Object.hasOwn(given, 'code') ? ctx.valuePos([key, 'inputs', 'code']) : undefined
    const handlerFile = codePos !== undefined && inputs.code === undefined ? undefined : await findHandler(ctx, codeDir, inputs.code, codePos)

    const target = `${app}/${region}`
    const other = seenApps.get(target)
    if (other !== undefined) {
      ctx.at(keyPos, `components "${other}" and "${key}" would both deploy as "${app}" in ${region} - give one of them a different inputs.name`)
    } else {
      seenApps.set(target, key)
    }
    if (handlerFile === undefined || !ctx.ok([key])) continue
    sockets.push({
      componentKey: key,
      configFile: absFile,
      app,
      stage: stage ?? DEFAULT_STAGE,
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

  if (ctx.diagnostics.length > 0) throw fail()
  return { parsed, sockets }
}

function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds
    .map((d, i) => ({ d, i }))
    .sort((a, b) => a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i)
    .map(({ d }) => d)
}
