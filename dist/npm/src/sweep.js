import { repoOf } from "./github/client.js";
import { pullRequestState } from "./github/pulls.js";
import { listStagesOf, removeStageOf } from "./pipeline.js";
async function pullRequestStateOf(gh, repo, pr) {
    try {
        return await pullRequestState(gh, repoOf(repo), pr);
    }
    catch (error) {
        throw new Error(`asking GitHub for pull request #${pr} of ${repo}: ${error.message}`, { cause: error });
    }
}
export async function sweepClosedPullRequests(options) {
    const { gh, dryRun, removing = (_stage, remove) => remove() } = options;
    const { app, repo, region, stages } = await listStagesOf(options);
    const closed = [];
    const kept = [];
    for (const stage of stages) {
        const pr = /^pr-(\d+)$/.exec(stage);
        const state = pr ? await pullRequestStateOf(gh, options.repo, Number(pr[1])) : undefined;
        if (state === 'closed')
            closed.push(stage);
        else
            kept.push({ stage, reason: state ? `pull request ${state}` : 'not a pull request stage' });
    }
    options.found?.({ app, repo, region, stages, closed, kept, dryRun });
    const removed = [];
    if (!dryRun) {
        for (const stage of closed) {
            await removing(stage, () => removeStageOf({ ...options, stage }));
            removed.push(stage);
        }
    }
    return { app, repo, region, stages, closed, kept, removed, dryRun };
}
