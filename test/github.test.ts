// The GitHub adapter against the local fake of GitHub's REST API.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { gitHub, repoOf } from '../src/github/client.ts'
import { markerOf, upsertStickyComment } from '../src/github/comments.ts'
import { pullRequestState } from '../src/github/pulls.ts'
import { startFakeGitHub, type FakeGitHub } from './helpers/github-fake.ts'

let gh: FakeGitHub
before(async () => {
  gh = await startFakeGitHub('octo/sockets')
  process.env.GITHUB_API_URL = gh.url
})
after(() => gh.close())

test('the sticky comment is found on a later page, by marker and author, and edited in place', async () => {
  const marker = markerOf('chat', 'pr-3')
  for (let i = 0; i < 150; i++) {
    const spoof = i === 5
    gh.comments.push({
      id: i + 1,
      issue: 3,
      body: spoof ? `a person quoting ${marker}` : i === 120 ? `${marker}\nold` : `comment ${i}`,
      user: spoof
        ? { login: 'mallory', type: 'User' }
        : i === 120 || i % 2
          ? { login: 'github-actions[bot]', type: 'Bot' }
          : { login: 'octocat', type: 'User' },
    })
  }
  const client = gitHub('ghs_token')
  const result = await upsertStickyComment(client, repoOf('octo/sockets'), 3, marker, 'new body')
  assert.deepEqual(result, { id: 121, created: false })
  assert.equal(gh.comments.find((c) => c.id === 121)!.body, `${marker}\nnew body`)
  assert.equal(
    gh.comments.find((c) => c.id === 6)!.body,
    `a person quoting ${marker}`,
    "someone else's comment with the marker is left alone",
  )
  assert.ok(
    gh.requests.some((r) => r.path.includes('page=2')),
    'it paged',
  )
  assert.equal(gh.writes().length, 1)
  assert.deepEqual(
    gh.refused().map((r) => `${r.method} ${r.path} ${r.status}`),
    [],
    'GitHub refuses no call: the author comes from GraphQL viewer, not GET /user (403 for installation tokens)',
  )

  gh.requests.length = 0
  await upsertStickyComment(client, repoOf('octo/sockets'), 3, marker, 'new body')
  assert.equal(gh.writes().length, 0, 'an identical body is not written again')

  const fresh = await upsertStickyComment(client, repoOf('octo/sockets'), 4, marker, 'first')
  assert.equal(fresh.created, true)
  assert.equal(gh.comments.filter((c) => c.issue === 4).length, 1)
})

test('pull request states for sweep', async () => {
  gh.pulls.set(1, 'closed')
  gh.pulls.set(2, 'open')
  const client = gitHub('ghs_token')
  assert.equal(await pullRequestState(client, repoOf('octo/sockets'), 1), 'closed')
  assert.equal(await pullRequestState(client, repoOf('octo/sockets'), 2), 'open')
  assert.equal(await pullRequestState(client, repoOf('octo/sockets'), 99), 'missing')
})
