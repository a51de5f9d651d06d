// What a workflow event asks for: deploy or remove which branch or pull request, or nothing.

export type Command = 'auto' | 'deploy' | 'plan' | 'remove' | 'rollback' | 'sweep'

/** The fields of a pull_request, push or delete webhook payload that triggerOf reads; any others are ignored. */
export interface EventPayload {
  action?: string
  number?: number
  ref?: string
  ref_type?: string
  after?: string
  deleted?: boolean
  repository?: { full_name?: string; default_branch?: string }
  pull_request?: {
    number?: number
    head?: { sha?: string; ref?: string; repo?: { full_name?: string } | null }
    base?: { repo?: { full_name?: string } }
  }
}

export interface EventContext {
  eventName: string
  payload: EventPayload
  /** GITHUB_REF, e.g. refs/heads/main or refs/pull/42/merge. */
  ref?: string
  sha?: string
  /** owner/repo */
  repository: string
}

export interface Trigger {
  command: 'deploy' | 'plan' | 'remove' | 'rollback' | 'sweep' | 'skip'
  /** Why, for the log (and for skip, the message). */
  reason: string
  pr?: { number: number; headSha?: string; fork: boolean; headRepo?: string }
  branch?: string
  defaultBranch?: string
  sha?: string
}

const PR_EVENTS = new Set(['pull_request', 'pull_request_target'])
const PR_DEPLOY_ACTIONS = new Set(['opened', 'synchronize', 'reopened'])

function branchOf(ref: string | undefined): string | undefined {
  return ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined
}

export function triggerOf(ctx: EventContext, command: Command): Trigger {
  const p = ctx.payload
  const defaultBranch: string | undefined = p.repository?.default_branch
  const base = { defaultBranch, sha: ctx.sha }

  if (PR_EVENTS.has(ctx.eventName) && p.pull_request) {
    const pr = p.pull_request
    const headRepo: string | undefined = pr.head?.repo?.full_name
    const info = {
      number: Number(pr.number ?? p.number),
      headSha: pr.head?.sha,
      fork: !headRepo || headRepo !== (pr.base?.repo?.full_name ?? ctx.repository),
      headRepo,
    }
    const sha = pr.head?.sha ?? ctx.sha
    if (command !== 'auto')
      return {
        command,
        reason: `${command} requested for pull request #${info.number}`,
        pr: info,
        ...base,
        sha,
        branch: pr.head?.ref,
      }
    if (p.action === 'closed')
      return {
        command: 'remove',
        reason: `pull request #${info.number} was closed`,
        pr: info,
        ...base,
        sha,
        branch: pr.head?.ref,
      }
    if (PR_DEPLOY_ACTIONS.has(p.action ?? ''))
      return {
        command: 'deploy',
        reason: `pull request #${info.number} was ${p.action}`,
        pr: info,
        ...base,
        sha,
        branch: pr.head?.ref,
      }
    return {
      command: 'skip',
      reason: `nothing to do for pull_request action "${p.action}" (socket-action deploys on opened, synchronize and reopened, and removes on closed)`,
      ...base,
    }
  }

  if (ctx.eventName === 'push') {
    const branch = branchOf(p.ref ?? ctx.ref)
    if (!branch)
      return { command: 'skip', reason: `push of ${p.ref ?? ctx.ref} is not a branch: nothing to deploy`, ...base }
    if (command !== 'auto') return { command, reason: `${command} requested on push to ${branch}`, branch, ...base }
    if (p.deleted) return { command: 'remove', reason: `branch ${branch} was deleted`, branch, ...base }
    return { command: 'deploy', reason: `push to ${branch}`, branch, ...base, sha: p.after ?? ctx.sha }
  }

  if (ctx.eventName === 'delete') {
    if (p.ref_type !== 'branch')
      return { command: 'skip', reason: `a ${p.ref_type} was deleted: only branch deletions remove a stage`, ...base }
    const branch = String(p.ref).replace(/^refs\/heads\//, '')
    if (command !== 'auto' && command !== 'remove')
      return { command: 'skip', reason: `branch ${branch} was deleted: "${command}" does not apply`, ...base }
    return { command: 'remove', reason: `branch ${branch} was deleted`, branch, ...base }
  }

  const branch = branchOf(ctx.ref)
  if (ctx.eventName === 'workflow_dispatch' || command !== 'auto') {
    const chosen = command === 'auto' ? 'deploy' : command
    return {
      command: chosen,
      reason: `${chosen} requested by ${ctx.eventName}${branch ? ` on ${branch}` : ''}`,
      branch,
      ...base,
    }
  }
  return {
    command: 'skip',
    reason: `socket-action has nothing to do on "${ctx.eventName}" with command "auto": it runs on pull_request, push, delete and workflow_dispatch (for a schedule, set command: sweep)`,
    ...base,
  }
}
