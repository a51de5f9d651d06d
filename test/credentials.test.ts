// OIDC credentials against moto's STS (behind the shim): retries fetch a fresh token; refusals say what to trust.
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { assumeRoleWithOidc } from '../src/action/credentials.ts'
import { startAwsBed, type AwsBed } from './helpers/aws-bed.ts'

const ROLE = 'arn:aws:iam::123456789012:role/socket-deployer'
const OIDC_ENV = { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/token', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'x' }

function token(sub: string): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
  return `${enc({ alg: 'RS256' })}.${enc({ sub, aud: 'sts.amazonaws.com' })}.sig`
}

describe('assumeRoleWithOidc', () => {
  let bed: AwsBed
  before(async () => (bed = await startAwsBed()))
  after(() => bed.stop())
  beforeEach(() => bed.reset())

  const base = (tokens: string[], masked: string[]) => ({
    roleToAssume: ROLE,
    region: 'us-east-1',
    sessionName: 'GitHubActions',
    durationSeconds: 3600,
    audience: 'sts.amazonaws.com',
    getIDToken: async () => {
      const t = token(`repo:octo/sockets:pull_request#${tokens.length}`)
      tokens.push(t)
      return t
    },
    mask: (s: string) => masked.push(s),
    env: OIDC_ENV,
    sleep: async () => {},
  })

  test('exchanges the token and masks all three credentials', async () => {
    const tokens: string[] = []
    const masked: string[] = []
    const creds = await assumeRoleWithOidc(base(tokens, masked))
    assert.equal(tokens.length, 1)
    assert.deepEqual(masked, [creds.accessKeyId, creds.secretAccessKey, creds.sessionToken])
    assert.ok(creds.sessionToken)
  })

  test('a throttled exchange is retried with a fresh token', async () => {
    bed.shim.fault({
      operation: 'AssumeRoleWithWebIdentity',
      times: 4,
      status: 400,
      errorType: 'IDPCommunicationError',
      message: 'try again',
    })
    const tokens: string[] = []
    await assumeRoleWithOidc(base(tokens, []))
    assert.ok(tokens.length >= 2, `tokens fetched: ${tokens.length}`)
    assert.equal(new Set(tokens).size, tokens.length, 'every attempt used its own token')
  })

  test('a refused trust policy names the sub and aud to allow', async () => {
    bed.shim.fault({
      operation: 'AssumeRoleWithWebIdentity',
      status: 403,
      errorType: 'AccessDenied',
      message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
    })
    await assert.rejects(
      assumeRoleWithOidc(base([], [])),
      /trust policy must trust token\.actions\.githubusercontent\.com and allow sub "repo:octo\/sockets:pull_request#0" with aud "sts\.amazonaws\.com"/,
    )
  })

  test('an invalid identity token fails at once (no retry) and names the provider and trust policy to set up', async () => {
    bed.shim.fault({
      operation: 'AssumeRoleWithWebIdentity',
      times: Infinity,
      status: 400,
      errorType: 'InvalidIdentityToken',
      message: 'No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com',
    })
    const tokens: string[] = []
    await assert.rejects(
      assumeRoleWithOidc(base(tokens, [])),
      /AWS rejected the GitHub OIDC token .*No OpenIDConnect provider found.*identity provider https:\/\/token\.actions\.githubusercontent\.com with audience "sts\.amazonaws\.com".*allow sub "repo:octo\/sockets:pull_request#0"/,
    )
    assert.equal(tokens.length, 1, 'one attempt')
    assert.equal(bed.shim.calls().filter((c) => c.operation === 'AssumeRoleWithWebIdentity').length, 1)
  })

  test("STS briefly unable to fetch GitHub's keys (InvalidIdentityToken) is retried with a fresh token", async () => {
    bed.shim.fault({
      operation: 'AssumeRoleWithWebIdentity',
      times: 2,
      status: 400,
      errorType: 'InvalidIdentityToken',
      message:
        "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements",
    })
    const tokens: string[] = []
    await assumeRoleWithOidc(base(tokens, []))
    assert.equal(tokens.length, 3)
  })

  test('no OIDC token request variables: the fix is id-token: write', async () => {
    await assert.rejects(assumeRoleWithOidc({ ...base([], []), env: {} }), /permissions: id-token: write/)
  })
})
