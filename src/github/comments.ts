// One sticky comment per stage on a pull request: found by its hidden marker and author, updated in place.
import type { GitHub, Repo } from './client.ts'

export function markerOf(app: string, stage: string): string {
  return `<!-- socket-action:stage=${stage} app=${app} -->`
}

interface IssueComment {
  id: number
  body?: string | null
  user?: { login?: string; type?: string } | null
}

/**
 * Who the token acts as: GraphQL's `viewer`, which user tokens and installation tokens (GITHUB_TOKEN, app tokens) can
 * both read, where REST's GET /user refuses installation tokens with 403. Undefined when it cannot be read.
 */
async function tokenLogin(gh: GitHub): Promise<string | undefined> {
  try {
    const { viewer } = await gh.graphql<{ viewer: { login: string } }>('query { viewer { login } }')
    return viewer.login
  } catch {
    return undefined
  }
}

/** GraphQL may name a bot without REST's `[bot]` suffix (`github-actions`, REST `github-actions[bot]`). */
const sameActor = (a: string, b: string) =>
  a.replace(/\[bot\]$/i, '').toLowerCase() === b.replace(/\[bot\]$/i, '').toLowerCase()

/** Our comment for this stage: the marker, written by this token's user (or, when that is unknown, by a bot). */
export async function findStickyComment(
  gh: GitHub,
  repo: Repo,
  pr: number,
  marker: string,
): Promise<IssueComment | undefined> {
  const [login, comments] = await Promise.all([
    tokenLogin(gh),
    gh.paginate(gh.rest.issues.listComments, { ...repo, issue_number: pr, per_page: 100 }) as Promise<IssueComment[]>,
  ])
  const ours = comments.filter(
    (c) =>
      c.body?.includes(marker) && (login ? !!c.user?.login && sameActor(c.user.login, login) : c.user?.type === 'Bot'),
  )
  return ours[0]
}

export async function upsertStickyComment(
  gh: GitHub,
  repo: Repo,
  pr: number,
  marker: string,
  body: string,
): Promise<{ id: number; created: boolean }> {
  const text = `${marker}\n${body}`
  const existing = await findStickyComment(gh, repo, pr, marker)
  if (existing) {
    if (existing.body !== text) await gh.rest.issues.updateComment({ ...repo, comment_id: existing.id, body: text })
    return { id: existing.id, created: false }
  }
  const created = await gh.rest.issues.createComment({ ...repo, issue_number: pr, body: text })
  return { id: created.data.id, created: true }
}
