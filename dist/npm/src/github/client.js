// The only module that talks to GitHub's REST API (through @actions/github's Octokit, GITHUB_API_URL aware).
import { getOctokit } from '@actions/github';
/** A client of GITHUB_API_URL (GitHub Enterprise Server too), read when the client is made. */
export function gitHub(token, baseUrl = process.env.GITHUB_API_URL ?? 'https://api.github.com') {
    return getOctokit(token, { baseUrl });
}
export function repoOf(fullName) {
    const [owner = '', repo = ''] = fullName.split('/');
    return { owner, repo };
}
