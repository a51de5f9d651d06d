// The Action under a real runner implementation: nektos/act in self-hosted mode (no Docker) runs
// test/fixtures/runner/socket.yml, whose step is `uses: ./`, in a repository made from `git archive HEAD` (tracked
// files only, as GitHub downloads an action at a tag), on Node 24 (what GitHub runs node24 actions on). act parses
// action.yml, resolves `main`, passes inputs and defaults (`${{ github.token }}`), and hands the outputs to a later
// step. GitHub's REST API and OIDC issuer are local stand-ins (given to act with --env), AWS is moto behind the shim.
//
// What this cannot prove: act does not enforce `permissions:` (the missing id-token case is simulated the way GitHub
// shows it, by the absence of ACTIONS_ID_TOKEN_REQUEST_*), and its `actions/checkout` copies the local repository.
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, beforeEach, describe, test } from 'node:test'
import { type DevServer, startDev } from '../src/dev/serve.ts'
import { startAwsBed, type AwsBed } from './helpers/aws-bed.ts'
import { readAccount } from './helpers/aws-state.ts'
import { prEvent, pushEvent, REPO } from './helpers/events.ts'
import { startFakeGitHub, type FakeGitHub } from './helpers/github-fake.ts'
import { REPO_ROOT, trackedCopy } from './helpers/tracked.ts'

const ACT = path.join(REPO_ROOT, '.tools/bin/act')
const NODE24 = path.join(REPO_ROOT, '.tools/node24/bin')
const WORKFLOW = '.github/workflows/socket.yml'
const INSTALL = 'run `bash .ci/install-tools` (npm test runs it first)'

interface ActRun {
  code: number | null
  log: string
  /** What the later step read from `steps.socket.outputs`. */
  outputs: Record<string, string>
}

describe('the Action under nektos/act, from git archive HEAD, on Node 24', () => {
  let bed: AwsBed
  let gh: FakeGitHub
  let repoDir: string
  let scratch: string
  let runs = 0
  let gateway: DevServer

  before(async () => {
    assert.ok(existsSync(ACT), `nektos/act is missing at ${ACT}: ${INSTALL}`)
    assert.ok(existsSync(path.join(NODE24, 'node')), `Node 24 is missing at ${NODE24}: ${INSTALL}`)
    bed = await startAwsBed()
    gh = await startFakeGitHub(REPO)
    scratch = await mkdtemp(path.join(tmpdir(), 'socket-action-act-'))
    // The user's repository: this project's tracked files (the action at ./), an app, and the workflow.
    repoDir = await trackedCopy('socket-action-act-repo-')
    await cp(path.join(repoDir, 'examples/echo'), path.join(repoDir, 'app'), { recursive: true })
    await mkdir(path.join(repoDir, '.github/workflows'), { recursive: true })
    await cp(path.join(repoDir, 'test/fixtures/runner/socket.yml'), path.join(repoDir, WORKFLOW))
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repoDir, stdio: 'pipe' })
    git('init', '-q', '-b', 'main')
    git('remote', 'add', 'origin', `https://github.com/${REPO}.git`) // act derives GITHUB_REPOSITORY from it
    git('add', '-A')
    git('-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '-q', '-m', 'app')
    gateway = await startDev({ configFile: path.join(repoDir, 'app/serverless.yml'), port: 0, log: () => {} })
  })
  after(async () => {
    await gateway?.close()
    await gh?.close()
    await bed?.stop()
    if (repoDir) await rm(repoDir, { recursive: true, force: true })
    if (scratch) await rm(scratch, { recursive: true, force: true })
  })
  beforeEach(async () => {
    await bed.reset()
    gh.comments.length = 0
    gh.deployments.length = 0
    gh.requests.length = 0
  })

  async function act(event: string, payload: unknown, opts: { oidc?: boolean } = {}): Promise<ActRun> {
    const run = ++runs
    const eventFile = path.join(scratch, `event-${run}.json`)
    const outputsFile = path.join(scratch, `outputs-${run}.jsonl`)
    await writeFile(eventFile, JSON.stringify(payload))
    await writeFile(outputsFile, '')
    const env: Record<string, string> = {
      GITHUB_API_URL: gh.url,
      AWS_ENDPOINT_URL: bed.shim.endpoint,
      SOCKET_ACTION_TEST_OUTPUTS: outputsFile,
      // The stage's wss:// URL (moto's) resolves nowhere: verify connects to a local gateway serving the same app.
      SOCKET_ACTION_TEST_VERIFY_URL: gateway.url,
    }
    // GitHub sets these only for jobs with `permissions: id-token: write`.
    if (opts.oidc !== false)
      Object.assign(env, { ACTIONS_ID_TOKEN_REQUEST_URL: gh.oidcUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: gh.oidcToken })
    const args = [
      event,
      '-e',
      eventFile,
      '-W',
      WORKFLOW,
      '-P',
      'ubuntu-latest=-self-hosted',
      '--action-offline-mode',
      '-s',
      'GITHUB_TOKEN=ghs_fake_installation_token',
    ]
    for (const [name, value] of Object.entries(env)) args.push('--env', `${name}=${value}`)
    // A clean environment: no AWS credentials from this process (the Action must get its own through OIDC), its own
    // HOME for act's cache, and Node 24 first on PATH, as on GitHub's runners.
    const child = spawn(ACT, args, {
      cwd: repoDir,
      env: { PATH: `${NODE24}${path.delimiter}${process.env.PATH ?? ''}`, HOME: scratch, LANG: 'C.UTF-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let log = ''
    child.stdout.on('data', (d) => (log += d))
    child.stderr.on('data', (d) => (log += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000)
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    clearTimeout(timer)
    const lines = (await readFile(outputsFile, 'utf8')).split('\n').filter(Boolean)
    return { code, log, outputs: lines.length ? JSON.parse(lines.at(-1)!) : {} }
  }

  const stageResources = async (stage: string) => {
    const state = await readAccount()
    const ours = (tags: Record<string, string>) =>
      tags['socket-action:stage'] === stage && tags['socket-action:repo'] === REPO
    return {
      roles: state.roles.filter((r) => ours(r.tags)).length,
      functions: state.functions.filter((f) => ours(f.tags)).length,
      apis: state.apis.filter((a) => ours(a.tags)).length,
    }
  }

  test('pull request opened -> synchronize (no write, same comment) -> closed (removed)', async () => {
    const opened = await act('pull_request', prEvent('opened', 42))
    assert.equal(opened.code, 0, opened.log)
    assert.match(opened.log, /Node\.js v24\./, 'the runner ran Node 24')
    assert.equal(opened.outputs.result, 'deployed', opened.log)
    assert.equal(opened.outputs.stage, 'pr-42')
    assert.equal(opened.outputs.changed, 'true')
    assert.match(opened.outputs.url!, /^wss:\/\/\w+\.execute-api\.us-east-1\.amazonaws\.com\/pr-42$/)
    assert.equal(opened.outputs['api-id'], opened.outputs.url!.slice(6).split('.')[0])
    assert.ok(
      opened.log.includes(`the backend is at ${opened.outputs.url}`),
      'a later step expands ${{ steps.socket.outputs.url }}',
    )
    assert.deepEqual(await stageResources('pr-42'), { roles: 1, functions: 1, apis: 1 })
    // Credentials came from OIDC (the runner's process had none), with the default github.token for the comment.
    assert.ok(bed.shim.calls().some((c) => c.operation === 'AssumeRoleWithWebIdentity'))
    assert.equal(gh.comments.length, 1)
    const comment = gh.comments[0]!
    assert.equal(comment.issue, 42)
    assert.ok(comment.body.includes(opened.outputs.url!))
    assert.ok(gh.requests.some((r) => r.method === 'POST' && r.authorization?.includes('ghs_fake_installation_token')))

    bed.shim.clearCalls()
    const sync = await act('pull_request', prEvent('synchronize', 42, { sha: 'e'.repeat(40) }))
    assert.equal(sync.code, 0, sync.log)
    assert.equal(sync.outputs.result, 'unchanged')
    assert.equal(sync.outputs.changed, 'false')
    assert.equal(sync.outputs.url, opened.outputs.url)
    assert.deepEqual(
      bed.shim.writes().map((c) => c.operation),
      [],
      'an unchanged redeploy writes nothing',
    )
    assert.equal(gh.comments.length, 1, 'never a second comment')
    assert.equal(gh.comments[0]!.id, comment.id)
    assert.ok(gh.comments[0]!.body.includes('`eeeeeee`'))

    const closed = await act('pull_request', prEvent('closed', 42))
    assert.equal(closed.code, 0, closed.log)
    assert.equal(closed.outputs.result, 'removed')
    assert.equal(closed.outputs.stage, 'pr-42')
    assert.deepEqual(await stageResources('pr-42'), { roles: 0, functions: 0, apis: 0 })
    assert.equal(gh.comments.length, 1)
    assert.match(gh.comments[0]!.body, /`pr-42` was removed/)
  })

  test('a push to the default branch deploys its mapped stage', async () => {
    const run = await act('push', pushEvent('main'))
    assert.equal(run.code, 0, run.log)
    assert.equal(run.outputs.result, 'deployed', run.log)
    assert.equal(run.outputs.stage, 'prod')
    assert.match(run.outputs.url!, /\/prod$/)
    assert.match(run.log, new RegExp(`verified ${gateway.url}`), 'a push stage is verified as a client')
    assert.deepEqual(await stageResources('prod'), { roles: 1, functions: 1, apis: 1 })
    assert.equal(gh.comments.length, 0, 'no pull request, no comment')
  })

  test('a pull request from a fork is skipped before any AWS call', async () => {
    const run = await act('pull_request', prEvent('opened', 7, { fork: true }), { oidc: false })
    assert.equal(run.code, 0, run.log)
    assert.equal(run.outputs.result, 'skipped')
    assert.match(run.log, /comes from a fork/)
    assert.deepEqual(bed.shim.calls(), [])
    assert.deepEqual(gh.writes(), [])
  })

  test('without an id-token the job fails, names the fix, and makes no AWS call', async () => {
    const run = await act('pull_request', prEvent('opened', 8), { oidc: false })
    assert.notEqual(run.code, 0, run.log)
    assert.match(run.log, /permissions: id-token: write/)
    assert.equal(run.outputs.result, '', 'no result output')
    assert.deepEqual(bed.shim.calls(), [])
  })
})
