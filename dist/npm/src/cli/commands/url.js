// `socket-action url`: where clients connect to a deployed stage, its live version and region, read by its tags.
import { flag } from "../args.js";
import { AWS_NOTES, COMPONENT_OPTION, CONFIG_OPTION, DIR_ARGUMENT, JSON_OPTION, projectOf, REGION_OPTION, regionValue, REPO_OPTION, repoValue, STAGE_OPTION, stageValue, } from "./project-options.js";
export const urlCommand = {
    spec: {
        name: 'url',
        summary: "print a deployed stage's wss:// URL, live version and region; writes nothing",
        synopsis: '[dir] [options]',
        description: `Print where clients connect to a deployed stage (its custom domain's URL when one is mapped, else the
execute-api URL), the function version its alias "live" points to, and the region. The stage is found by its tags,
in one round of parallel reads (a second only for a custom domain's mapping). Nothing is written or rebuilt.
A stage that is not deployed is an error (exit code 2) naming the stages that are.`,
        positionals: [DIR_ARGUMENT],
        options: [STAGE_OPTION, REGION_OPTION, CONFIG_OPTION, COMPONENT_OPTION, REPO_OPTION, JSON_OPTION],
        notes: `${AWS_NOTES}
Needs apigateway:GET on the region's APIs (and on the domain's API mappings) and lambda:GetAlias on the function.`,
    },
    async run(values, positionals) {
        const options = {
            ...projectOf(values, positionals, 'url'),
            stage: stageValue(values, 'url'),
            region: regionValue(values, 'url'),
            repo: repoValue(values, 'url'),
        };
        const { stageUrlOf } = await import("../../pipeline.js");
        const result = await stageUrlOf(options);
        if (flag(values, 'json')) {
            const { url, apiUrl, apiId, domain, liveVersion, functionName, region, identity } = result;
            console.log(JSON.stringify({
                url,
                apiUrl,
                ...(domain ? { domain } : {}),
                stage: identity.stage,
                region,
                liveVersion: liveVersion ?? null,
                apiId,
                functionName,
            }, null, 2));
            return 0;
        }
        console.log(result.url);
        if (result.domain)
            console.log(`  api url:  ${result.apiUrl}`);
        console.log(`  live:     ${result.liveVersion ? `version ${result.liveVersion}` : 'no alias "live" (redeploy)'}`);
        console.log(`  region:   ${result.region}`);
        console.log(`  stage:    ${result.identity.stage} of ${result.identity.app}`);
        return 0;
    },
};
