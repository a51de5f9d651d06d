// Pull request states, for sweep.
import type { GitHub, Repo } from './client.ts'

export async function pullRequestState(gh: GitHub, repo: Repo, pr: number): Promise<'open' | 'closed' | 'missing'> {
  try {
    const { data } = await gh.rest.pulls.get({ ...repo, pull_number: pr })
    return data.state === 'open' ? 'open' : 'closed'
  } catch (error) {
    if ((error as { status?: number }).status === 404) return 'missing'
    throw error
  }
}
