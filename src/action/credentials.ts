// AWS credentials from GitHub OIDC: an ID token from the runner, exchanged with STS AssumeRoleWithWebIdentity.
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import type { AwsCredentials } from '../aws/clients.ts'
import { retry, type Sleep } from '../aws/retry.ts'
import { errorName } from '../aws/errors.ts'

export interface OidcOptions {
  roleToAssume: string
  region: string
  sessionName: string
  durationSeconds: number
  audience: string
  /** core.getIDToken, injected for tests. */
  getIDToken: (audience: string) => Promise<string>
  /** core.setSecret: every credential is masked before anything else can print it. */
  mask: (secret: string) => void
  env?: Record<string, string | undefined>
  sleep?: Sleep
  log?: (line: string) => void
}

export class CredentialsError extends Error {
  override readonly name = 'CredentialsError'
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/

export function checkOidcInputs(o: Pick<OidcOptions, 'roleToAssume' | 'sessionName' | 'durationSeconds'>): void {
  if (!ROLE_ARN.test(o.roleToAssume)) {
    throw new CredentialsError(
      `input "role-to-assume" must be a role ARN like arn:aws:iam::123456789012:role/deploy, got "${o.roleToAssume}"`,
    )
  }
  if (!SESSION_NAME.test(o.sessionName))
    throw new CredentialsError(
      `input "role-session-name" must be 2-64 characters of letters, digits and +=,.@_-, got "${o.sessionName}"`,
    )
  if (!Number.isInteger(o.durationSeconds) || o.durationSeconds < 900 || o.durationSeconds > 43200) {
    throw new CredentialsError(
      `input "role-duration-seconds" must be a whole number from 900 to 43200, got "${o.durationSeconds}"`,
    )
  }
}

/** The claims a trust policy is matched against, to say which ones to allow when STS refuses. */
function claimsOf(token: string): { sub?: string; aud?: string } {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'))
  } catch {
    return {}
  }
}

const RETRYABLE = new Set([
  'IDPCommunicationErrorException',
  'IDPCommunicationError',
  'ThrottlingException',
  'Throttling',
  'ServiceUnavailable',
  'InternalFailure',
])
const INVALID_TOKEN = new Set(['InvalidIdentityTokenException', 'InvalidIdentityToken'])
/**
 * InvalidIdentityToken is final (no provider, another audience) except for one message STS gives while it cannot
 * fetch GitHub's signing keys for a moment; configure-aws-credentials and the AWS SDKs retry that one too.
 */
const isTransientTokenError = (e: unknown) =>
  INVALID_TOKEN.has(errorName(e) ?? '') && /retrieve verification key/i.test((e as Error).message ?? '')

export async function assumeRoleWithOidc(o: OidcOptions): Promise<AwsCredentials> {
  const env = o.env ?? process.env
  if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    throw new CredentialsError(
      'no GitHub OIDC token is available: add "permissions: id-token: write" to the job (or workflow) so the runner can request one. ' +
        'Pull requests from forks never get it.',
    )
  }
  checkOidcInputs(o)
  const sts = new STSClient({ region: o.region })
  let lastClaims: { sub?: string; aud?: string } = {}
  try {
    const out = await retry(
      async () => {
        // A fresh token on every attempt: a token that sat through a backoff may have expired.
        const token = await o.getIDToken(o.audience)
        lastClaims = claimsOf(token)
        return sts.send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: o.roleToAssume,
            RoleSessionName: o.sessionName,
            DurationSeconds: o.durationSeconds,
            WebIdentityToken: token,
          }),
        )
      },
      {
        retryable: (e) =>
          RETRYABLE.has(errorName(e) ?? '') ||
          isTransientTokenError(e) ||
          ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0) >= 500,
        budgetMs: 30_000,
        baseMs: 500,
        sleep: o.sleep,
        onRetry: (e, n, ms) =>
          o.log?.(`AssumeRoleWithWebIdentity failed (${(e as Error).name}); retry ${n} in ${ms} ms with a fresh token`),
      },
    )
    const c = out.Credentials
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
      throw new CredentialsError('STS returned no credentials')
    o.mask(c.AccessKeyId)
    o.mask(c.SecretAccessKey)
    o.mask(c.SessionToken)
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    }
  } catch (error) {
    if (error instanceof CredentialsError) throw error
    if (errorName(error) === 'AccessDenied' || errorName(error) === 'AccessDeniedException') {
      throw new CredentialsError(
        `not authorized to assume ${o.roleToAssume} with web identity: the role's trust policy must trust token.actions.githubusercontent.com ` +
          `and allow sub "${lastClaims.sub ?? '?'}" with aud "${lastClaims.aud ?? o.audience}" (see the README's trust policy, which covers both sub formats)`,
        { cause: error },
      )
    }
    if (INVALID_TOKEN.has(errorName(error) ?? '')) {
      throw new CredentialsError(
        `AWS rejected the GitHub OIDC token for ${o.roleToAssume} (${(error as Error).message}): the account needs the OpenID Connect identity provider ` +
          `https://token.actions.githubusercontent.com with audience "${lastClaims.aud ?? o.audience}", and the role's trust policy must name it and allow ` +
          `sub "${lastClaims.sub ?? '?'}" (README: "AWS setup", steps 1 and 2)`,
        { cause: error },
      )
    }
    throw new CredentialsError(
      `could not assume ${o.roleToAssume}: ${(error as Error).name}: ${(error as Error).message}`,
      { cause: error },
    )
  } finally {
    sts.destroy()
  }
}
