// `socket-action sweep` as a user runs it: stages on moto (through the shim), pull request states from the fake GitHub.
import assert from 'node:assert/strict'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb'
import { deployStage } from '../src/pipeline.ts'
import { FAST, scratchProject, startAwsBed, type AwsBed, type Project } from './helpers/aws-bed.ts'
import { readAccount } from './helpers/aws-state.ts'
import { startFakeGitHub, type FakeGitHub } from './helpers/github-fake.ts'
import { runNode } from './helpers/processes.ts'

const BIN = path.join(import.meta.dirname, '../src/cli/bin.js')
const REPO = 'octo/sockets'
const TOKEN = 'ghp_fake_token_for_sweep'

describe('socket-action sweep', () => {
  let bed: AwsBed
  let gh: FakeGitHub
  let project: Project

  const sweep = (args: string[], env: Record<string, string | undefined> = {}) =>
    runNode(BIN, ['sweep', ...args], {
      cwd: project.dir,
      env: {
        ...process.env,
        GITHUB_API_URL: gh.url,
        GITHUB_TOKEN: TOKEN,
        GITHUB_REPOSITORY: undefined,
        GH_TOKEN: undefined,
        ...env,
      },
    }).done

  const functionsOf = async (repo: string) =>
    (await readAccount()).functions
      .filter((f) => f.tags['socket-action:repo'] === repo)
      .map((f) => f.tags['socket-action:stage'])
      .sort()

  before(async () => {
    bed = await startAwsBed()
    gh = await startFakeGitHub(REPO)
    project = await scratchProject()
    bed.shim.configure({ pendingReads: 0, inProgressReads: 0, roleUnassumableCalls: 0 })
    for (const stage of ['pr-1', 'pr-2', 'pr-3', 'prod'])
      await deployStage({ configFile: project.config, stage, repo: REPO, ...FAST })
    // The same app deployed from a laptop: another repository tag, never this repository's to sweep.
    await deployStage({ configFile: project.config, stage: 'pr-9', repo: 'local', ...FAST })
    gh.pulls.set(1, 'closed')
    gh.pulls.set(2, 'closed')
    gh.pulls.set(3, 'open')
    gh.pulls.set(9, 'closed')
  })
  after(async () => {
    await project.remove()
    await gh.close()
    await bed.stop()
  })

  test('is a dry run by default: lists what it would remove and what it keeps, writes nothing', async () => {
    bed.shim.clearCalls()
    gh.requests.length = 0
    const result = await sweep(['.', '--repo', REPO])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(
      result.stdout,
      [
        `Stages of my-socket (${REPO}) in us-east-1: pr-1, pr-2, pr-3, prod`,
        '  keep pr-3 (pull request open)',
        '  keep prod (not a pull request stage)',
        '  would remove pr-1 (pull request closed)',
        '  would remove pr-2 (pull request closed)',
        'Dry run: nothing was removed. Run again with --no-dry-run to remove 2 stages.',
        '',
      ].join('\n'),
    )
    assert.deepEqual(bed.shim.writes(), [], 'no AWS writes')
    assert.deepEqual(gh.writes(), [], 'no GitHub writes')
    assert.deepEqual(gh.requests.map((r) => r.path).sort(), [
      '/repos/octo/sockets/pulls/1',
      '/repos/octo/sockets/pulls/2',
      '/repos/octo/sockets/pulls/3',
    ])
    assert.ok(
      gh.requests.every((r) => r.authorization === `token ${TOKEN}`),
      'GITHUB_TOKEN is the token',
    )
    assert.ok(!result.stdout.includes(TOKEN) && !result.stderr.includes(TOKEN), 'the token is never printed')
  })

  test('--json gives the same answer for scripts', async () => {
    const result = await sweep(['--json'], { GITHUB_REPOSITORY: REPO, GITHUB_TOKEN: undefined, GH_TOKEN: TOKEN })
    assert.equal(result.code, 0, result.stderr)
    const out = JSON.parse(result.stdout)
    assert.deepEqual(
      { ...out, kept: out.kept.map((k: { stage: string }) => k.stage) },
      {
        app: 'my-socket',
        repo: REPO,
        region: 'us-east-1',
        stages: ['pr-1', 'pr-2', 'pr-3', 'prod'],
        closed: ['pr-1', 'pr-2'],
        kept: ['pr-3', 'prod'],
        removed: [],
        dryRun: true,
      },
    )
  })

  test('--no-dry-run removes the stages of closed pull requests, and only those', async () => {
    const result = await sweep(['--no-dry-run'], { GITHUB_REPOSITORY: REPO })
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^ {2}remove pr-1 \(pull request closed\)$/m)
    assert.match(result.stdout, /^ {2}removed pr-1 \(\d+ deletions\)$/m)
    assert.match(result.stdout, /^ {2}removed pr-2 \(\d+ deletions\)$/m)
    assert.match(result.stdout, /^Removed 2 stages\.$/m)
    assert.deepEqual(await functionsOf(REPO), ['pr-3', 'prod'])
    assert.deepEqual(await functionsOf('local'), ['pr-9'], "another repository's stage is never swept")

    const again = await sweep(['--no-dry-run'], { GITHUB_REPOSITORY: REPO })
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stdout, /^Nothing to remove: no stage belongs to a closed pull request\.$/m)
  })

  test('a stage of which only its registry table is left (a remove that stopped there) is swept; a foreign table is not', async () => {
    const db = new DynamoDBClient({})
    const table = (name: string, tags: Record<string, string>) =>
      db.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      )
    const ours = { 'socket-action:app': 'my-socket', 'socket-action:repo': REPO, 'socket-action:region': 'us-east-1' }
    await table('my-socket-pr-4-connections', { ...ours, 'socket-action:stage': 'pr-4' })
    await table('my-socket-pr-5-connections', { 'socket-action:app': 'my-socket', 'socket-action:stage': 'pr-5' })
    gh.pulls.set(4, 'closed')
    gh.pulls.set(5, 'closed')
    const result = await sweep(['--no-dry-run'], { GITHUB_REPOSITORY: REPO })
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^Stages of my-socket \(octo\/sockets\) in us-east-1: pr-3, pr-4, prod$/m)
    assert.match(result.stdout, /^ {2}removed pr-4 \(1 deletion/m)
    const left = (await db.send(new ListTablesCommand({}))).TableNames
    assert.deepEqual(left, ['my-socket-pr-5-connections'], "the untagged table is not this repository's")
    db.destroy()
  })

  test('--dry-run and --no-dry-run together are a usage error', async () => {
    const result = await sweep(['--dry-run', '--no-dry-run', '--repo', REPO])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /^error: --dry-run and --no-dry-run contradict each other/m)
  })

  test('a repository with no stages has nothing to sweep', async () => {
    const result = await sweep(['--repo', 'octo/elsewhere'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^Stages of my-socket \(octo\/elsewhere\) in us-east-1: none$/m)
  })

  test('GitHub unreachable fails the sweep with exit 1 and removes nothing', async () => {
    bed.shim.clearCalls()
    const result = await sweep(['--no-dry-run', '--repo', REPO], { GITHUB_API_URL: 'http://127.0.0.1:9' })
    assert.equal(result.code, 1)
    assert.match(result.stderr, /^error: asking GitHub for pull request #3 of octo\/sockets: /m)
    assert.deepEqual(bed.shim.writes(), [])
  })
})
