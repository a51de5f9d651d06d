// `socket-action sweep`: the Action's sweep from a terminal: remove the pr-N stages of closed pull requests.
import { flag } from "../args.js";
import { stderrReporter } from "../terminal.js";
import { UsageError } from "../usage.js";
import { AWS_NOTES, COMPONENT_OPTION, CONFIG_OPTION, DIR_ARGUMENT, JSON_OPTION, projectOf, REGION_OPTION, regionValue, repoValue, } from "./project-options.js";
/** GITHUB_TOKEN, else GH_TOKEN (the gh CLI's). */
export function gitHubToken(env) {
    return env.GITHUB_TOKEN || env.GH_TOKEN || undefined;
}
export const sweepCommand = {
    spec: {
        name: 'sweep',
        summary: 'remove the pr-N stages of closed pull requests (a dry run unless --no-dry-run)',
        synopsis: '[dir] [options]',
        description: `List every stage of this app and repository (by their tags), ask GitHub which pull requests
are closed, and remove their pr-N stages. Stages that are not pr-N, or whose pull request is open,
are listed and never removed. A dry run unless --no-dry-run is given, like the Action's dry-run input.`,
        positionals: [DIR_ARGUMENT],
        options: [
            { name: 'no-dry-run', description: 'remove the stages of closed pull requests (without it, only list them)' },
            { name: 'dry-run', description: 'only list what would be removed', default: 'on' },
            {
                name: 'repo',
                value: 'OWNER/NAME',
                description: 'the repository: its stages (by tag) and its pull requests',
                default: 'GITHUB_REPOSITORY',
            },
            REGION_OPTION,
            CONFIG_OPTION,
            COMPONENT_OPTION,
            JSON_OPTION,
        ],
        notes: `GitHub: the token is GITHUB_TOKEN, else GH_TOKEN (e.g. GH_TOKEN=$(gh auth token)); it needs to read
pull requests. The API is GITHUB_API_URL (GitHub Enterprise Server), else https://api.github.com.

${AWS_NOTES}`,
    },
    async run(values, positionals) {
        if (flag(values, 'dry-run') && flag(values, 'no-dry-run'))
            throw new UsageError('--dry-run and --no-dry-run contradict each other: give one', 'sweep');
        const repo = repoValue(values, 'sweep') ?? process.env.GITHUB_REPOSITORY;
        if (!repo)
            throw new UsageError('sweep needs the repository whose pull requests to check: pass --repo OWNER/NAME or set GITHUB_REPOSITORY', 'sweep');
        const token = gitHubToken(process.env);
        if (!token)
            throw new UsageError('sweep needs a GitHub token to ask which pull requests are closed: set GITHUB_TOKEN (or GH_TOKEN), e.g. GH_TOKEN=$(gh auth token)', 'sweep');
        const project = projectOf(values, positionals, 'sweep');
        const region = regionValue(values, 'sweep');
        const dryRun = !flag(values, 'no-dry-run');
        const json = flag(values, 'json');
        const reporter = stderrReporter();
        // Imported here, not at the top: --help and usage errors need neither GitHub's client nor the AWS SDK.
        const [{ gitHub }, { sweepClosedPullRequests }] = await Promise.all([
            import("../../github/client.js"),
            import("../../sweep.js"),
        ]);
        const result = await sweepClosedPullRequests({
            ...project,
            region,
            repo,
            gh: gitHub(token),
            dryRun,
            events: { log: (line) => reporter.line(line) },
            progress: reporter,
            found: json
                ? undefined
                : (found) => {
                    console.log(`Stages of ${found.app} (${found.repo}) in ${found.region}: ${found.stages.join(', ') || 'none'}`);
                    for (const k of found.kept)
                        console.log(`  keep ${k.stage} (${k.reason})`);
                    for (const stage of found.closed)
                        console.log(`  ${dryRun ? 'would remove' : 'remove'} ${stage} (pull request closed)`);
                },
            removing: async (stage, remove) => {
                const removed = await remove();
                if (!json)
                    console.log(`  removed ${stage} (${removed.removed.length} deletions)`);
                return removed;
            },
        });
        if (json)
            console.log(JSON.stringify(result, null, 2));
        else if (result.closed.length === 0)
            console.log('Nothing to remove: no stage belongs to a closed pull request.');
        else if (dryRun)
            console.log(`Dry run: nothing was removed. Run again with --no-dry-run to remove ${result.closed.length} stage${result.closed.length === 1 ? '' : 's'}.`);
        else
            console.log(`Removed ${result.removed.length} stage${result.removed.length === 1 ? '' : 's'}.`);
        return 0;
    },
};
