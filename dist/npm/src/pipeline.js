// The layers end to end: config -> bundle -> observe/plan -> apply -> result. The CLI and the Action both call these.
import path from 'node:path';
import { awsAdapter } from "./aws/adapter.js";
import { createClients, destroyClients } from "./aws/clients.js";
import { listStages } from "./aws/stage-discovery.js";
import { deployedSourceMaps, tailLogEvents } from "./aws/logs-tail.js";
import { readStageUrl, StageNotFoundError } from "./aws/stage-url.js";
import { smokeTestVersion } from "./aws/smoke.js";
import { bundleSocket, LAMBDA_HANDLER } from "./bundle/build.js";
import { BUNDLE_FRAME, decodeSourceMap } from "./bundle/stack-map.js";
import { permissionsBoundaryProblem } from "./config/boundary.js";
import { ConfigError, loadConfig, pickSocket } from "./config/index.js";
import { domainFor, domainNameProblem, domainPatternProblem } from "./config/domain-name.js";
import { checkRegion } from "./config/region-name.js";
import { secretIdFor } from "./config/secret-ref.js";
import { stageNameProblem } from "./config/stage-name.js";
import { reconcile, removeStage, rollbackStage, } from "./engine/deploy.js";
import { desiredState } from "./engine/desired.js";
import { checkLimits } from "./engine/limits.js";
import { resourceNames } from "./engine/names.js";
import { planDeploy } from "./engine/plan.js";
import { waitingFor } from "./progress/progress.js";
import { VERSION } from "./version.js";
async function prepare(options) {
    const env = options.env ?? process.env;
    // Before any request: the SDK sends a misspelt region's requests to a host that does not exist.
    if (options.region !== undefined) {
        const check = checkRegion(options.region, `region "${options.region}"`);
        if (!check.ok)
            throw new Error(check.problem);
        if (check.warning)
            options.events?.log?.(`warning: ${check.warning}`);
    }
    const picked = options.socket
        ? withStage(options.socket, options.stage, options.configFile)
        : await loadSocket(options, env);
    const problem = options.permissionsBoundary === undefined ? undefined : permissionsBoundaryProblem(options.permissionsBoundary);
    if (problem)
        throw new Error(`the permissions boundary ${problem}`);
    const permissionsBoundary = options.permissionsBoundary ?? picked.permissionsBoundary;
    const bounded = permissionsBoundary ? { ...picked, permissionsBoundary } : picked;
    const domain = domainOption(options, bounded);
    const socket = domain ? { ...bounded, domain } : bounded;
    const region = options.region ?? socket.region;
    const identity = {
        app: socket.app,
        stage: socket.stage,
        repo: options.repo ?? env.GITHUB_REPOSITORY ?? 'local',
        region,
    };
    return { socket, identity, region, clients: createClients({ region, credentials: options.credentials }) };
}
/** serverless.yml's domain, or the one given as an option (checked as serverless.yml's is), for the stage. */
function domainOption(options, socket) {
    const pattern = options.domain?.trim() || undefined;
    const hostedZone = options.hostedZone?.trim() || undefined;
    if (pattern === undefined && hostedZone === undefined)
        return socket.domain;
    const base = pattern ?? socket.domain?.pattern;
    if (base === undefined)
        throw new Error(`a hosted zone (${hostedZone}) was given without a domain: give the domain too, or add domain: to serverless.yml`);
    const name = domainFor(base, socket.stage);
    const problem = domainPatternProblem(base) ?? domainNameProblem(name);
    if (problem)
        throw new Error(`the domain ${problem}`);
    const zone = hostedZone ?? socket.domain?.hostedZone;
    return { name, pattern: base, ...(zone ? { hostedZone: zone } : {}) };
}
async function loadSocket(options, env) {
    const { sockets } = await loadConfig(options.configFile, {
        env,
        stage: options.stage,
        optional: options.configOptional,
    });
    return pickSocket(sockets, options.component, options.configFile);
}
/** The socket as loadConfig gives it with `stage` as the stage option. */
function withStage(socket, stage, file) {
    if (stage === undefined)
        return socket;
    const problem = stageNameProblem(stage);
    if (problem)
        throw new ConfigError([
            {
                file,
                line: 1,
                column: 1,
                message: `stage ${JSON.stringify(stage)} (given as an option) is invalid: ${problem}`,
            },
        ]);
    const domain = socket.domain && { ...socket.domain, name: domainFor(socket.domain.pattern, stage) };
    const secrets = socket.secrets?.map((s) => ({ ...s, id: secretIdFor(s.pattern, stage) }));
    return {
        ...socket,
        stage,
        ...(domain ? { domain } : {}),
        ...(secrets ? { secrets } : {}),
        defaulted: socket.defaulted.filter((field) => field !== 'stage'),
    };
}
function bundleFor(p, options) {
    return waitingFor(options.progress, `esbuild to bundle ${path.basename(p.socket.handlerFile)}`, () => bundleSocket(p.socket.handlerFile, {
        codeDir: p.socket.codeDir,
        esbuild: options.esbuild,
        // socket.js is loaded once the function has read its secrets
        secrets: !!p.socket.secrets?.length,
    }));
}
function smokeTestOf(p, options) {
    if (options.smokeTest || !options.smoke)
        return options.smokeTest;
    const { smoke } = p.socket;
    const message = smoke && { body: smoke.message, expect: smoke.expect };
    const handshake = smoke && { headers: smoke.headers, query: smoke.query };
    const stage = p.identity.stage;
    return async (target) => {
        await waitingFor(options.progress, `the smoke test of version ${target.qualifier}`, () => smokeTestVersion(p.clients.lambda, target, {
            region: p.region,
            stage,
            ...(message && { message }),
            ...(handshake && { handshake }),
            ...(options.sleep && { sleep: options.sleep }),
            ...(options.retryBaseMs !== undefined && { retryBaseMs: options.retryBaseMs }),
        }));
    };
}
function adapterOptions(p, options) {
    const { waits, sleep, retryBaseMs, progress } = options;
    return {
        clients: p.clients,
        identity: p.identity,
        waits,
        sleep,
        retryBaseMs,
        progress,
        smokeTest: smokeTestOf(p, options),
        log: options.events?.log,
        ...domainTarget(p),
        ...secretTargets(p),
    };
}
/** What observe looks up for serverless.yml's secrets (metadata only). */
function secretTargets(p) {
    const secrets = p.socket.secrets;
    return secrets?.length ? { secrets: secrets.map(({ service, id }) => ({ service, id })) } : {};
}
/** What observe reads for the domain: serverless.yml's name and zone. */
function domainTarget(p) {
    const domain = p.socket.domain;
    if (!domain)
        return {};
    return { domain: { name: domain.name, ...(domain.hostedZone ? { hostedZone: domain.hostedZone } : {}) } };
}
/** The desired state for what was observed; a limit it breaks throws with its file and line, before any write. */
function desiredFor(p, bundle, smokeTest) {
    return (observed) => {
        const desired = desiredState({
            socket: p.socket,
            identity: p.identity,
            region: p.region,
            account: observed.account,
            partition: observed.partition,
            codeSha256: bundle.sha256,
            handler: LAMBDA_HANDLER,
            version: VERSION,
            smokeTest,
            ...(observed.secrets ? { secrets: observed.secrets } : {}),
        });
        const problems = checkLimits(desired, { zipBytes: bundle.zip.length, unzippedBytes: bundle.files.reduce((n, f) => n + f.data.length, 0) }, p.socket);
        if (problems.length)
            throw new ConfigError(problems);
        return desired;
    };
}
export async function deployStage(options) {
    const p = await prepare(options);
    try {
        const bundle = await bundleFor(p, options);
        const adapter = awsAdapter({ ...adapterOptions(p, options), zip: bundle.zip });
        const result = await reconcile(adapter, desiredFor(p, bundle, !!smokeTestOf(p, options)), options.events);
        return { ...result, socket: p.socket };
    }
    finally {
        destroyClients(p.clients);
    }
}
export async function planStage(options) {
    const p = await prepare(options);
    try {
        const bundle = await bundleFor(p, options);
        const observed = await awsAdapter({
            clients: p.clients,
            identity: p.identity,
            progress: options.progress,
            ...domainTarget(p),
            ...secretTargets(p),
        }).observe();
        const desired = desiredFor(p, bundle, !!smokeTestOf(p, options))(observed);
        return { plan: planDeploy(desired, observed), desired, socket: p.socket };
    }
    finally {
        destroyClients(p.clients);
    }
}
export async function removeStageOf(options) {
    const p = await prepare(options);
    try {
        const adapter = awsAdapter(adapterOptions(p, options));
        return { ...(await removeStage(adapter, p.identity, options.events)), identity: p.identity, region: p.region };
    }
    finally {
        destroyClients(p.clients);
    }
}
/** Moves the stage's alias `live` back to the previous version, or to `to`: one write. */
export async function rollbackStageOf(options) {
    const p = await prepare(options);
    try {
        const adapter = awsAdapter(adapterOptions(p, options));
        return {
            ...(await rollbackStage(adapter, p.identity, options.to, options.events)),
            identity: p.identity,
            region: p.region,
        };
    }
    finally {
        destroyClients(p.clients);
    }
}
/** Every stage of this app and repository in the region (by tags). */
export async function listStagesOf(options) {
    const p = await prepare(options);
    try {
        const stages = await waitingFor(options.progress, `AWS to list the stages of ${p.identity.app}`, () => listStages(p.clients, p.identity.app, p.identity.repo));
        return { app: p.identity.app, repo: p.identity.repo, region: p.region, stages };
    }
    finally {
        destroyClients(p.clients);
    }
}
/** Where clients connect to the stage, its live version and region, read by its tags (src/aws/stage-url.ts). */
export async function stageUrlOf(options) {
    const p = await prepare(options);
    try {
        const read = await waitingFor(options.progress, `AWS to read stage "${p.identity.stage}"`, () => readStageUrl(p.clients, p.identity, resourceNames(p.identity)));
        return { ...read, identity: p.identity, region: p.region };
    }
    catch (error) {
        throw error instanceof StageNotFoundError ? await withStagesListed(error, p) : error;
    }
    finally {
        destroyClients(p.clients);
    }
}
/** A missing stage's message, with the stages that do exist for this app and repository (the likely typo). */
async function withStagesListed(error, p) {
    const stages = await listStages(p.clients, p.identity.app, p.identity.repo).catch(() => undefined);
    const hint = stages === undefined
        ? ''
        : stages.length
            ? ` - the stages of "${p.identity.app}" (${p.identity.repo}) in ${p.region} are: ${stages.join(', ')}`
            : ` - "${p.identity.app}" (${p.identity.repo}) has no stage in ${p.region}; deploy one: socket-action deploy --stage ${p.identity.stage}`;
    return new StageNotFoundError(`${error.message}${hint}`);
}
/**
 * Tails the stage's log group (src/aws/logs-tail.ts). A frame left in the bundle (`/var/task/bundle.js:L:C`) is mapped
 * with the source map of the version that logged it, from that version's deployed zip: downloaded once per version,
 * and only for a version whose lines have such a frame (Node.js maps the others on Lambda already).
 */
export async function stageLogsOf(options) {
    const p = await prepare(options);
    try {
        const names = resourceNames(p.identity);
        options.onNote?.(`${names.logGroupName} in ${p.region}`);
        const maps = new Map();
        const mapsOf = (version) => {
            let found = maps.get(version);
            if (!found) {
                found = deployedSourceMaps(p.clients, names.functionName, version).then((raw) => Object.fromEntries(Object.entries(raw).map(([file, map]) => [file, decodeSourceMap(map)])), (error) => {
                    options.onNote?.(`note: the stack lines of version ${version} stay unmapped: ${error instanceof Error ? error.message : String(error)}`);
                    return undefined;
                });
                maps.set(version, found);
            }
            return found;
        };
        await tailLogEvents(p.clients, {
            logGroupName: names.logGroupName,
            startTime: options.startTime,
            follow: options.follow,
            pollMs: options.pollMs,
            signal: options.signal,
            describe: `stage "${p.identity.stage}" of "${p.identity.app}" in ${p.region}`,
        }, async (event) => options.onEvent(event, event.version && BUNDLE_FRAME.test(event.message) ? await mapsOf(event.version) : undefined));
        return { identity: p.identity, region: p.region };
    }
    catch (error) {
        throw error instanceof StageNotFoundError ? await withStagesListed(error, p) : error;
    }
    finally {
        destroyClients(p.clients);
    }
}
