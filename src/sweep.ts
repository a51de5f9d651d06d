// sweep, for the CLI and the Action alike: every stage of this app and repository (by AWS tags), the state of each
// `pr-N` stage's pull request (from GitHub), and the removal of those whose pull request is closed.
import type { RemoveResult } from './engine/deploy.ts'
import type { GitHub } from './github/client.ts'
import { repoOf } from './github/client.ts'
import { pullRequestState } from './github/pulls.ts'
import { listStagesOf, removeStageOf, type StageOptions } from './pipeline.ts'

export interface KeptStage {
  stage: string
  /** "pull request open", "pull request missing", "not a pull request stage" */
  reason: string
}

export interface SweepResult {
  app: string
  repo: string
  region: string
  stages: string[]
  /** pr-N stages whose pull request is closed: removed, or in a dry run the ones that would be. */
  closed: string[]
  kept: KeptStage[]
  removed: string[]
  dryRun: boolean
}

export interface SweepOptions extends StageOptions {
  /** `owner/repo`: the stages' repository tag and where their pull requests are. */
  repo: string
  gh: GitHub
  /** List only (the default of both the CLI and the Action). */
  dryRun: boolean
  /** Told what was found, before anything is removed. */
  found?: (result: Omit<SweepResult, 'removed'>) => void
  /** Wraps each removal (the Action opens a log group). */
  removing?: (stage: string, remove: () => Promise<RemoveResult>) => Promise<RemoveResult>
}

async function pullRequestStateOf(gh: GitHub, repo: string, pr: number): Promise<'open' | 'closed' | 'missing'> {
  try {
    return await pullRequestState(gh, repoOf(repo), pr)
  } catch (error) {
    throw new Error(`asking GitHub for pull request #${pr} of ${repo}: ${(error as Error).message}`, { cause: error })
  }
}

export async function sweepClosedPullRequests(options: SweepOptions): Promise<SweepResult> {
  const { gh, dryRun, removing = (_stage, remove) => remove() } = options
  const { app, repo, region, stages } = await listStagesOf(options)
  const closed: string[] = []
  const kept: KeptStage[] = []
  for (const stage of stages) {
    const pr = /^pr-(\d+)$/.exec(stage)
    const state = pr ? await pullRequestStateOf(gh, options.repo, Number(pr[1])) : undefined
    if (state === 'closed') closed.push(stage)
    else kept.push({ stage, reason: state ? `pull request ${state}` : 'not a pull request stage' })
  }
  options.found?.({ app, repo, region, stages, closed, kept, dryRun })
  const removed: string[] = []
  if (!dryRun) {
    for (const stage of closed) {
      await removing(stage, () => removeStageOf({ ...options, stage }))
      removed.push(stage)
    }
  }
  return { app, repo, region, stages, closed, kept, removed, dryRun }
}
