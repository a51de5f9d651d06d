import { flag } from "../args.js";
import { stderrReporter } from "../terminal.js";
import { UsageError } from "../usage.js";
import { AWS_NOTES, COMPONENT_OPTION, CONFIG_OPTION, DIR_ARGUMENT, JSON_OPTION, PERMISSIONS_BOUNDARY_OPTION, permissionsBoundaryValue, DOMAIN_OPTION, HOSTED_ZONE_OPTION, domainValue, hostedZoneValue, projectOf, REGION_OPTION, regionValue, REPO_OPTION, repoValue, STAGE_OPTION, stageValue, } from "./project-options.js";
const STAGE_COMMAND_OPTIONS = [
    STAGE_OPTION,
    REGION_OPTION,
    CONFIG_OPTION,
    COMPONENT_OPTION,
    REPO_OPTION,
    JSON_OPTION,
];
/** plan and deploy (may) create the function role; remove never does. */
const ROLE_CREATING_OPTIONS = [
    ...STAGE_COMMAND_OPTIONS.slice(0, -1),
    PERMISSIONS_BOUNDARY_OPTION,
    DOMAIN_OPTION,
    HOSTED_ZONE_OPTION,
    JSON_OPTION,
];
function stageSpec(name, summary, description, options = STAGE_COMMAND_OPTIONS) {
    return {
        name,
        summary,
        synopsis: '[dir] [options]',
        description,
        positionals: [DIR_ARGUMENT],
        options,
        notes: AWS_NOTES,
    };
}
/** The stage to work on, and where its notes and progress go (stderr). */
function stageOptionsOf(command, values, positionals) {
    const reporter = stderrReporter();
    const options = {
        ...projectOf(values, positionals, command),
        stage: stageValue(values, command),
        region: regionValue(values, command),
        repo: repoValue(values, command),
        permissionsBoundary: permissionsBoundaryValue(values, command),
        domain: domainValue(values, command),
        hostedZone: hostedZoneValue(values),
        // Each new version answers $connect (and serverless.yml's smoke message) before live moves to it.
        smoke: true,
        events: { log: (line) => reporter.line(line) },
        progress: reporter,
    };
    return { options, reporter };
}
export const planCommand = {
    spec: stageSpec('plan', 'show what deploy would change on AWS; writes nothing', 'Show what deploy would change on AWS, Terraform-style, with field-level diffs. Nothing is written.', ROLE_CREATING_OPTIONS),
    async run(values, positionals) {
        const { options } = stageOptionsOf('plan', values, positionals);
        const [{ planStage }, { formatPlan, planJson }] = await Promise.all([
            import("../../pipeline.js"),
            import("../../engine/format.js"),
        ]);
        const { plan, desired } = await planStage(options);
        if (flag(values, 'json'))
            console.log(JSON.stringify({ stage: desired.names.stageName, region: desired.region, ...planJson(plan) }, null, 2));
        else
            console.log(`Stage "${desired.identity.stage}" of "${desired.identity.app}" in ${desired.region}:\n${formatPlan(plan)}`);
        return 0;
    },
};
export const deployCommand = {
    spec: stageSpec('deploy', 'create or update a stage on AWS; prints its wss:// URL', `Create or update the stage's IAM role, Lambda function and WebSocket API, found by their tags.
An unchanged redeploy writes nothing. Prints the wss:// URL.`, ROLE_CREATING_OPTIONS),
    async run(values, positionals) {
        const { options, reporter } = stageOptionsOf('deploy', values, positionals);
        const json = flag(values, 'json');
        const started = performance.now();
        const { deployStage } = await import("../../pipeline.js");
        const result = await deployStage({
            ...options,
            events: {
                ...options.events,
                onAction: json
                    ? undefined
                    : (a, ms) => reporter.line(`  ${a.change} ${a.resource} ${a.name} (${Math.round(ms)} ms)`),
            },
        });
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        if (json) {
            const { url, apiId, functionName, functionArn, region, stage, routes, changed } = result;
            console.log(JSON.stringify({
                url,
                apiUrl: result.apiUrl,
                ...(result.domain ? { domain: result.domain } : {}),
                apiId,
                functionName,
                functionArn,
                region,
                stage,
                routes,
                changed,
                actions: result.actions.map((a) => `${a.change} ${a.resource} ${a.name}`),
            }, null, 2));
        }
        else {
            console.log(result.changed
                ? `Deployed in ${seconds} s (${result.actions.length} changes).`
                : `Unchanged: nothing to do (${seconds} s).`);
            console.log(`  url:      ${result.url}`);
            if (result.domain)
                console.log(`  api url:  ${result.apiUrl}`);
            console.log(`  api:      ${result.apiId}`);
            console.log(`  function: ${result.functionArn}`);
            console.log(`  routes:   ${result.routes.join(', ')}`);
        }
        return 0;
    },
};
export const removeCommand = {
    spec: stageSpec('remove', 'delete every resource tagged for a stage; nothing else', 'Delete every resource tagged with this app, stage and repository; nothing else.'),
    async run(values, positionals) {
        const { options, reporter } = stageOptionsOf('remove', values, positionals);
        const json = flag(values, 'json');
        const { removeStageOf } = await import("../../pipeline.js");
        const result = await removeStageOf({
            ...options,
            events: {
                ...options.events,
                onAction: json ? undefined : (a) => reporter.line(`  delete ${a.resource} ${a.name}`),
            },
        });
        const { identity } = result;
        if (json)
            console.log(JSON.stringify({
                stage: identity.stage,
                region: result.region,
                found: result.found,
                removed: result.removed.map((a) => `${a.resource} ${a.name}`),
            }, null, 2));
        else
            console.log(result.found
                ? `Removed stage "${identity.stage}" (${result.removed.length} deletions).`
                : `Nothing to remove: no resources are tagged for stage "${identity.stage}" of "${identity.app}" (${identity.repo}).`);
        for (const f of result.foreign)
            reporter.line(`note: ${f.kind} "${f.name}" has this stage's name but not its tags; it was left alone.`);
        return 0;
    },
};
const TO_OPTION = {
    name: 'to',
    value: 'VERSION',
    description: 'the version to move live to (one of the kept versions)',
    default: 'the previous version',
};
export const rollbackCommand = {
    spec: stageSpec('rollback', "move a stage's live alias back to the previous version, in one write", `Point the stage's alias "live", which API Gateway invokes, back to the version that was live before the last
deploy moved it (or to --to VERSION): one write, nothing rebuilt. Refuses when no earlier version is kept.
The next deploy moves live to the version holding serverless.yml's code again.`, [...STAGE_COMMAND_OPTIONS.slice(0, -1), TO_OPTION, JSON_OPTION]),
    async run(values, positionals) {
        const { options, reporter } = stageOptionsOf('rollback', values, positionals);
        const json = flag(values, 'json');
        const to = values.to;
        if (to !== undefined && (typeof to !== 'string' || !/^[1-9]\d*$/.test(to)))
            throw new UsageError(`rollback: --to must be a version number, got ${JSON.stringify(to)}`);
        const { rollbackStageOf } = await import("../../pipeline.js");
        const result = await rollbackStageOf({
            ...options,
            to,
            events: { ...options.events, onAction: json ? undefined : (a) => reporter.line(`  update alias ${a.name}`) },
        });
        const { identity } = result;
        if (json)
            console.log(JSON.stringify({ stage: identity.stage, region: result.region, from: result.from, to: result.to, kept: result.kept }, null, 2));
        else
            console.log(result.actions.length
                ? `Rolled back stage "${identity.stage}": live now points to version ${result.to} (was ${result.from}). Versions kept: ${result.kept.join(', ')}.`
                : `Nothing to do: live already points to version ${result.to}.`);
        return 0;
    },
};
