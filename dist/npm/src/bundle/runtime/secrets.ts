// serverless.yml's `secrets`, resolved inside the function once per execution environment, before socket.js runs:
// SOCKET_ACTION_SECRETS (runtime/secrets-variable.ts) holds the references; the values are read in one batched call
// per service (SSM GetParameters, 10 names a call; Secrets Manager BatchGetSecretValue, 20 secrets a call; the calls in
// parallel) and set in process.env. All or nothing: one that cannot be read fails the init with an error that names
// every such reference and never a value. A value rotated later reaches new execution environments only.
import type * as SecretsManager from '@aws-sdk/client-secrets-manager'
import type * as Ssm from '@aws-sdk/client-ssm'
import { SECRETS_VARIABLE, type SecretReferences } from './secrets-variable.ts'

/** GetParameters takes at most 10 names; BatchGetSecretValue at most 20 secrets. */
export const SSM_BATCH = 10
export const SECRETS_MANAGER_BATCH = 20
/**
 * Waits before reading again after an access denied: a deploy that adds a secret changes the role's policy just
 * before the new version's first environments start, and IAM takes a few seconds to apply it everywhere. 3.5 s in
 * all, inside Lambda's 10 s init; a denial that lasts is reported.
 */
export const ACCESS_RETRY_MS = [500, 1000, 2000]

export class SecretsError extends Error {
  override readonly name = 'SocketActionSecretsError'
}

export interface ResolvedSecrets {
  /** How many variables were set. */
  count: number
  /** AWS calls of one read, by service. */
  calls: { ssm: number; secretsManager: number }
  /** Read again after an access denied (ACCESS_RETRY_MS). */
  retried: boolean
  ms: number
}

/**
 * In the Lambda bundle (CommonJS), `require`: it finds the SDK the Lambda runtime ships through NODE_PATH. Run from
 * source (tests), an import(). Loaded only when a function has secrets.
 */
function load<T>(name: string): Promise<T> {
  return typeof require === 'function' ? Promise.resolve(require(name) as T) : (import(name) as Promise<T>)
}

const chunks = <T>(items: T[], size: number): T[][] => {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** An AWS error's name and message: AWS's messages name the resource, never its value. */
const reason = (error: unknown) => {
  const e = error as { name?: string; message?: string }
  return `${e.name ?? 'Error'}: ${e.message ?? String(error)}`
}

function parseReferences(text: string): SecretReferences {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new SecretsError(`${SECRETS_VARIABLE} is not JSON - redeploy with socket-action (it writes it)`)
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new SecretsError(`${SECRETS_VARIABLE} is not a JSON object - redeploy with socket-action (it writes it)`)
  return parsed as SecretReferences
}

/** Reads every reference in `env[SECRETS_VARIABLE]` and sets the values in `env`; a no-op without the variable. */
export async function resolveSecrets(env: NodeJS.ProcessEnv = process.env): Promise<ResolvedSecrets | undefined> {
  const text = env[SECRETS_VARIABLE]
  if (!text) return undefined
  const started = performance.now()
  const refs = parseReferences(text)
  /** variable names by parameter name, and by secret ARN */
  const byParameter = new Map<string, string[]>()
  const bySecret = new Map<string, string[]>()
  const malformed: string[] = []
  for (const [name, ref] of Object.entries(refs)) {
    const m = /^(ssm|secretsmanager):(.+)$/.exec(String(ref))
    if (!m) {
      malformed.push(`${name}: ${JSON.stringify(ref)} is not ssm:... or secretsmanager:...`)
      continue
    }
    const map = m[1] === 'ssm' ? byParameter : bySecret
    map.set(m[2]!, [...(map.get(m[2]!) ?? []), name])
  }
  if (malformed.length) throw failure(malformed)
  let values = new Map<string, string>()
  let problems: string[] = []
  /** a read was denied: the role's new policy may not have reached every IAM endpoint yet */
  let denied = false
  const isDenied = (code: string | undefined) => code === 'AccessDeniedException' || code === 'AccessDenied'
  const named = (names: string[] | undefined, ref: string) => `${(names ?? []).join(', ')} (${ref})`
  const ssmBatches = chunks([...byParameter.keys()], SSM_BATCH)
  const smBatches = chunks([...bySecret.keys()], SECRETS_MANAGER_BATCH)

  const readParameters = async () => {
    if (!ssmBatches.length) return
    const sdk = await load<typeof Ssm>('@aws-sdk/client-ssm')
    const client = new sdk.SSMClient({})
    try {
      await Promise.all(
        ssmBatches.map(async (Names) => {
          let out: Ssm.GetParametersCommandOutput
          try {
            out = await client.send(new sdk.GetParametersCommand({ Names, WithDecryption: true }))
          } catch (error) {
            denied ||= isDenied((error as Error).name)
            for (const p of Names)
              problems.push(`${named(byParameter.get(p), `ssm:${p}`)}: SSM GetParameters failed: ${reason(error)}`)
            return
          }
          for (const p of out.InvalidParameters ?? [])
            problems.push(`${named(byParameter.get(p), `ssm:${p}`)}: the SSM parameter does not exist`)
          for (const p of out.Parameters ?? []) {
            if (p.Name === undefined || p.Value === undefined) continue
            for (const name of byParameter.get(p.Name) ?? []) values.set(name, p.Value)
          }
        }),
      )
    } finally {
      client.destroy()
    }
  }

  const readSecretValues = async () => {
    if (!smBatches.length) return
    const sdk = await load<typeof SecretsManager>('@aws-sdk/client-secrets-manager')
    const client = new sdk.SecretsManagerClient({})
    try {
      await Promise.all(
        smBatches.map(async (SecretIdList) => {
          let NextToken: string | undefined
          do {
            let out: SecretsManager.BatchGetSecretValueCommandOutput
            try {
              out = await client.send(new sdk.BatchGetSecretValueCommand({ SecretIdList, NextToken }))
            } catch (error) {
              denied ||= isDenied((error as Error).name)
              for (const s of SecretIdList)
                problems.push(
                  `${named(bySecret.get(s), `secretsmanager:${s}`)}: Secrets Manager BatchGetSecretValue failed: ${reason(error)}`,
                )
              return
            }
            for (const e of out.Errors ?? []) denied ||= isDenied(e.ErrorCode)
            for (const e of out.Errors ?? [])
              problems.push(
                `${named(bySecret.get(e.SecretId ?? ''), `secretsmanager:${e.SecretId}`)}: ${e.ErrorCode ?? 'Error'}: ${e.Message ?? 'cannot be read'}`,
              )
            for (const v of out.SecretValues ?? []) {
              const names = (v.ARN && bySecret.get(v.ARN)) || (v.Name && bySecret.get(v.Name)) || []
              if (v.SecretString === undefined) {
                problems.push(
                  `${named(names, `secretsmanager:${v.ARN}`)}: the secret holds binary data (SecretBinary), not text - store it as a SecretString (e.g. base64)`,
                )
                continue
              }
              for (const name of names) values.set(name, v.SecretString)
            }
            NextToken = out.NextToken
          } while (NextToken)
        }),
      )
    } finally {
      client.destroy()
    }
  }

  let calls = 0
  for (let attempt = 0; ; attempt++) {
    values = new Map()
    problems = []
    denied = false
    await Promise.all([readParameters(), readSecretValues()])
    calls += ssmBatches.length + smBatches.length
    const wait = ACCESS_RETRY_MS[attempt]
    if (!denied || wait === undefined) break
    await new Promise((resolve) => setTimeout(resolve, wait))
  }
  const unset = Object.keys(refs).filter((name) => !values.has(name))
  if (problems.length || unset.length)
    throw failure(problems.length ? problems : unset.map((name) => `${name}: no value was returned`))
  for (const [name, value] of values) env[name] = value
  return {
    count: values.size,
    calls: { ssm: ssmBatches.length, secretsManager: smBatches.length },
    retried: calls > ssmBatches.length + smBatches.length,
    ms: performance.now() - started,
  }
}

function failure(listed: string[]): SecretsError {
  return new SecretsError(
    `socket-action: cannot read the function's secrets at cold start (socket.js was not loaded):\n  ${listed.join('\n  ')}\n` +
      "  - check that each exists in the function's region, and that the function's role may read it (socket-action deploy grants exactly what serverless.yml's secrets name)",
  )
}

/**
 * What the bundle's entry awaits before it loads socket.js (src/bundle/build.ts): resolves the secrets and logs one
 * line of what it cost (names and counts, never a value).
 */
export async function loadSecrets(): Promise<void> {
  const resolved = await resolveSecrets()
  if (!resolved) return
  const { count, calls, ms, retried } = resolved
  const parts = [
    calls.ssm ? `${calls.ssm} SSM call${calls.ssm === 1 ? '' : 's'}` : '',
    calls.secretsManager ? `${calls.secretsManager} Secrets Manager call${calls.secretsManager === 1 ? '' : 's'}` : '',
  ].filter(Boolean)
  console.log(
    `socket-action: ${count} secret${count === 1 ? '' : 's'} read in ${Math.round(ms)} ms (${parts.join(', ')}${retried ? '; read again after an access denied, while IAM applied the role policy' : ''})`,
  )
}
