export async function pullRequestState(gh, repo, pr) {
    try {
        const { data } = await gh.rest.pulls.get({ ...repo, pull_number: pr });
        return data.state === 'open' ? 'open' : 'closed';
    }
    catch (error) {
        if (error.status === 404)
            return 'missing';
        throw error;
    }
}
