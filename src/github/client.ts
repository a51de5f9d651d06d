// The only module that talks to GitHub's REST API (through @actions/github's Octokit, GITHUB_API_URL aware).
import { getOctokit } from '@actions/github'

export type GitHub = ReturnType<typeof getOctokit>

export interface Repo {
  owner: string
  repo: string
}

export function gitHub(token: string): GitHub {
  return getOctokit(token)
}

export function repoOf(fullName: string): Repo {
  const [owner = '', repo = ''] = fullName.split('/')
  return { owner, repo }
}
