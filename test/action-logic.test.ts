// The Action's pure decisions: which event does what, and which stage a branch or PR maps to.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { branchStage, globMatch, InputError, parseStages, resolveStage } from '../src/action/stage-mapping.ts'
import { triggerOf, type EventContext } from '../src/action/trigger.ts'
import { checkOidcInputs } from '../src/action/credentials.ts'
import { readInputs } from '../src/action/inputs.ts'

const repository = { full_name: 'octo/sockets', default_branch: 'main' }
const ctx = (eventName: string, payload: Record<string, unknown>, ref?: string): EventContext => ({
  eventName,
  payload: { repository, ...payload },
  ref,
  sha: 'f'.repeat(40),
  repository: 'octo/sockets',
})
const pr = (action: string, headRepo = 'octo/sockets') => ({
  action,
  number: 5,
  pull_request: {
    number: 5,
    head: { sha: 'a'.repeat(40), ref: 'feat', repo: { full_name: headRepo } },
    base: { repo: { full_name: 'octo/sockets' } },
  },
})

describe('triggerOf', () => {
  test('pull requests: opened/synchronize/reopened deploy, closed removes, other actions skip', () => {
    for (const action of ['opened', 'synchronize', 'reopened'])
      assert.equal(triggerOf(ctx('pull_request', pr(action)), 'auto').command, 'deploy')
    const closed = triggerOf(ctx('pull_request', pr('closed')), 'auto')
    assert.equal(closed.command, 'remove')
    assert.equal(closed.pr?.number, 5)
    assert.equal(triggerOf(ctx('pull_request', pr('labeled')), 'auto').command, 'skip')
  })

  test('a fork is recognized by its head repository', () => {
    assert.equal(triggerOf(ctx('pull_request', pr('opened', 'mallory/sockets')), 'auto').pr?.fork, true)
    assert.equal(triggerOf(ctx('pull_request', pr('opened')), 'auto').pr?.fork, false)
  })

  test('push deploys its branch, a deleted branch is removed, tags are skipped', () => {
    assert.deepEqual(
      (({ command, branch }) => ({ command, branch }))(
        triggerOf(ctx('push', { ref: 'refs/heads/feature/x', after: 'b'.repeat(40) }), 'auto'),
      ),
      { command: 'deploy', branch: 'feature/x' },
    )
    assert.equal(triggerOf(ctx('push', { ref: 'refs/heads/old', deleted: true }), 'auto').command, 'remove')
    assert.equal(triggerOf(ctx('push', { ref: 'refs/tags/v1' }), 'auto').command, 'skip')
    assert.equal(triggerOf(ctx('delete', { ref: 'old', ref_type: 'branch' }), 'auto').command, 'remove')
    assert.equal(triggerOf(ctx('delete', { ref: 'v1', ref_type: 'tag' }), 'auto').command, 'skip')
  })

  test('workflow_dispatch and explicit commands; unknown events skip', () => {
    assert.equal(triggerOf(ctx('workflow_dispatch', {}, 'refs/heads/main'), 'auto').command, 'deploy')
    assert.equal(triggerOf(ctx('workflow_dispatch', {}, 'refs/heads/main'), 'remove').command, 'remove')
    assert.equal(triggerOf(ctx('schedule', {}, 'refs/heads/main'), 'sweep').command, 'sweep')
    const skipped = triggerOf(ctx('schedule', {}, 'refs/heads/main'), 'auto')
    assert.equal(skipped.command, 'skip')
    assert.match(skipped.reason, /command: sweep/)
  })
})

describe('stages', () => {
  const rules = parseStages(
    'main: prod\nrelease/*: staging\n"pr-*": { role-to-assume: "arn:aws:iam::111111111111:role/p", aws-region: eu-west-1 }',
  )

  test('defaults: pr-N, the default branch to the config stage or prod, other branches by name', () => {
    assert.equal(resolveStage({ pr: 42, rules: [] }).stage, 'pr-42')
    assert.equal(resolveStage({ branch: 'main', defaultBranch: 'main', configStage: 'dev', rules: [] }).stage, 'dev')
    assert.equal(resolveStage({ branch: 'main', defaultBranch: 'main', rules: [] }).stage, 'prod')
    assert.equal(resolveStage({ branch: 'feature/Chat_UI', defaultBranch: 'main', rules: [] }).stage, 'feature-chat-ui')
  })

  test('the stages map and the stage input override; a rule can pick role and region', () => {
    assert.equal(resolveStage({ branch: 'main', defaultBranch: 'main', configStage: 'dev', rules }).stage, 'prod')
    assert.equal(resolveStage({ branch: 'release/2.0', rules }).stage, 'staging')
    assert.equal(resolveStage({ branch: 'release/2.0/hotfix', rules }).stage, 'release-2-0-hotfix', '* stops at /')
    assert.deepEqual(resolveStage({ pr: 3, rules }), {
      stage: 'pr-3',
      roleToAssume: 'arn:aws:iam::111111111111:role/p',
      awsRegion: 'eu-west-1',
    })
    assert.equal(resolveStage({ branch: 'main', defaultBranch: 'main', explicit: 'demo', rules }).stage, 'demo')
    const negated = parseStages('"!{main,release/*}": preview')
    assert.equal(resolveStage({ branch: 'feature/x', defaultBranch: 'main', rules: negated }).stage, 'preview')
    assert.equal(resolveStage({ branch: 'release/1', defaultBranch: 'main', rules: negated }).stage, 'release-1')
  })

  test('globs and branch names', () => {
    assert.ok(globMatch('release/**', 'release/a/b'))
    assert.ok(!globMatch('release/*', 'release/a/b'))
    assert.ok(globMatch('v?.x', 'v1.x'))
    assert.ok(globMatch('release/v[0-9]', 'release/v1'))
    assert.ok(!globMatch('release/v[0-9]', 'release/vx'))
    assert.ok(globMatch('{main,master}', 'master'))
    assert.ok(globMatch('{feature,fix}/*', 'fix/login'))
    assert.ok(!globMatch('{feature,fix}/*', 'chore/login'))
    assert.ok(globMatch('!main', 'feature/x'))
    assert.ok(!globMatch('!main', 'main'))
    assert.ok(globMatch('*', '.hidden'), 'a leading "." is an ordinary character')
    assert.equal(branchStage('---'), 'branch')
    assert.equal(branchStage('a'.repeat(60)).length, 40)
  })

  test('bad stages input is an error that names the input', () => {
    assert.throws(() => parseStages('main: [prod]'), InputError)
    assert.throws(
      () => parseStages('main: "prod/x"'),
      /not a valid stage name: API Gateway stage names may contain only letters, digits/,
    )
    assert.throws(() => parseStages('main: { stag: prod }'), /unknown key "stag"/)
    assert.throws(() => parseStages('- main'), /must be a mapping/)
  })
})

test('OIDC inputs are checked before any call', () => {
  assert.throws(
    () => checkOidcInputs({ roleToAssume: 'deployer', sessionName: 'GitHubActions', durationSeconds: 3600 }),
    /must be a role ARN/,
  )
  assert.throws(
    () =>
      checkOidcInputs({ roleToAssume: 'arn:aws:iam::123456789012:role/d', sessionName: 'a b', durationSeconds: 3600 }),
    /role-session-name/,
  )
  assert.throws(
    () => checkOidcInputs({ roleToAssume: 'arn:aws:iam::123456789012:role/d', sessionName: 'ok', durationSeconds: 60 }),
    /900 to 43200/,
  )
  checkOidcInputs({
    roleToAssume: 'arn:aws:iam::123456789012:role/path/d',
    sessionName: 'GitHubActions',
    durationSeconds: 3600,
  })
})

test('the stage input follows the same stage-name rule as serverless.yml', () => {
  const name = 'INPUT_STAGE'
  const before = process.env[name]
  try {
    process.env[name] = 'feature/login'
    assert.throws(
      () => readInputs(),
      (e: Error) =>
        e instanceof InputError &&
        e.message ===
          'input "stage" is "feature/login": API Gateway stage names may contain only letters, digits, "-" and "_" (1-64 characters)',
    )
    process.env[name] = 'pr-7'
    assert.equal(readInputs().stage, 'pr-7')
  } finally {
    if (before === undefined) delete process.env[name]
    else process.env[name] = before
  }
})

test('boolean inputs are read as YAML 1.2 booleans; empty is the default; anything else names the input and the valid values', () => {
  const name = 'INPUT_DRY-RUN'
  const before = process.env[name]
  try {
    process.env[name] = ''
    assert.equal(readInputs().dryRun, true)
    process.env[name] = ' False '
    assert.equal(readInputs().dryRun, false)
    process.env[name] = 'TRUE'
    assert.equal(readInputs().dryRun, true)
    process.env[name] = 'yes'
    assert.throws(
      () => readInputs(),
      (e: Error) =>
        e instanceof InputError &&
        e.message === 'input "dry-run" must be true or false (or True, TRUE, False, FALSE), got "yes"',
    )
  } finally {
    if (before === undefined) delete process.env[name]
    else process.env[name] = before
  }
})

test('the permissions-boundary input is a policy ARN, checked before any call; empty means none', () => {
  const name = 'INPUT_PERMISSIONS-BOUNDARY'
  const before = process.env[name]
  try {
    process.env[name] = ' arn:aws:iam::123456789012:policy/socket-action-boundary '
    assert.equal(readInputs().permissionsBoundary, 'arn:aws:iam::123456789012:policy/socket-action-boundary')
    process.env[name] = ''
    assert.equal(readInputs().permissionsBoundary, undefined)
    process.env[name] = 'socket-action-boundary'
    assert.throws(
      () => readInputs(),
      (e: Error) =>
        e instanceof InputError &&
        /^input "permissions-boundary" must be the ARN of an IAM managed policy, got "socket-action-boundary"/.test(
          e.message,
        ),
    )
  } finally {
    if (before === undefined) delete process.env[name]
    else process.env[name] = before
  }
})

test('verify is auto (decided per stage) when empty or "auto", else a YAML 1.2 boolean; anything else names the values', () => {
  const name = 'INPUT_VERIFY'
  const before = process.env[name]
  try {
    for (const [given, read] of [
      ['', undefined],
      ['auto', undefined],
      ['true', true],
      ['False', false],
    ] as const) {
      process.env[name] = given
      assert.equal(readInputs().verify, read, `verify: "${given}"`)
    }
    process.env[name] = 'sometimes'
    assert.throws(
      () => readInputs(),
      (e: Error) =>
        e instanceof InputError && e.message === 'input "verify" must be auto, true or false, got "sometimes"',
    )
  } finally {
    if (before === undefined) delete process.env[name]
    else process.env[name] = before
  }
})
