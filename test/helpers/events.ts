// GitHub webhook payloads as the runner writes them to GITHUB_EVENT_PATH (the fields socket-action reads).
export const REPO = 'octo/sockets'

export const repository = { full_name: REPO, name: 'sockets', owner: { login: 'octo' }, default_branch: 'main' }

export function prEvent(action: string, number: number, opts: { sha?: string; fork?: boolean } = {}) {
  const sha = opts.sha ?? 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
  return {
    action,
    number,
    pull_request: {
      number,
      state: action === 'closed' ? 'closed' : 'open',
      head: { sha, ref: 'feature/chat', repo: { full_name: opts.fork ? 'mallory/sockets' : REPO, fork: !!opts.fork } },
      base: { ref: 'main', sha: 'b'.repeat(40), repo: { full_name: REPO } },
    },
    repository,
  }
}

export function pushEvent(branch: string, sha = 'c'.repeat(40)) {
  return { ref: `refs/heads/${branch}`, before: '0'.repeat(40), after: sha, deleted: false, repository }
}
