// observe -> plan -> apply, repeated until AWS matches (a Kubernetes-style loop): a crashed or racing earlier run
// leaves nothing that the next round does not finish or undo.
import { applyPlan, ApplyError, StaleObservation } from "./apply.js";
import { arn, domainUrl, resourceNames, websocketUrl } from "./names.js";
import { canonical, planDeploy, planRemove, planRollback, survivingApi } from "./plan.js";
const MAX_ROUNDS = 5;
function isStale(error) {
    return (error instanceof ApplyError ? error.cause : error) instanceof StaleObservation;
}
/** Writes that name the API id: a run that lost the race for the API must not point them at its own. */
const GRANTS = new Set(['PutRolePolicy', 'AddPermission', 'RemovePermission']);
/**
 * `observed`, plus the APIs this run created that the listing does not show yet (and that it has not deleted), read
 * by id: reads by id are consistent where the listing is not, so the plan sees their integrations, routes and stages.
 */
async function withCreatedApis(adapter, observed, created, done) {
    const deleted = new Set(done.flatMap((a) => (a.write === 'DeleteApi' && a.params.ApiId ? [a.params.ApiId] : [])));
    const missing = [...created].filter((id) => !deleted.has(id) && !observed.apis.some((a) => a.id === id));
    if (!missing.length)
        return observed;
    const read = (await Promise.all(missing.map((id) => adapter.describeApi(id)))).filter((api) => api !== undefined);
    return { ...observed, apis: [...observed.apis, ...read] };
}
/**
 * The write a round may send before its plan: the code upload, which the first round of reads decides alone (the
 * function, its versions). Nothing the second round brings (the APIs' parts, the log group's and the table's tags)
 * goes into it, so it is off the path those reads are on; the full plan must hold the same action, or the round
 * observes again once it is done. It writes only this stage's own function (ours by its tags) and never moves live.
 */
function earlyCodeUpload(desiredFor, partial) {
    // A plan that stops (foreign resources, a config error) writes nothing, early or not.
    if (partial.foreign.length || !partial.fn)
        return undefined;
    try {
        const observed = { ...partial, apis: [] };
        const desired = desiredFor(observed);
        const action = planDeploy(desired, observed).actions.find((a) => a.id === 'function:code');
        return action?.write === 'UpdateFunctionCode' && action.after.length === 0 ? { desired, action } : undefined;
    }
    catch {
        return undefined;
    }
}
const sameAction = (a, b) => a.id === b.id &&
    a.write === b.write &&
    canonical(a.params) === canonical(b.params) &&
    canonical(a.after) === canonical(b.after);
export async function reconcile(adapter, desiredFor, events = {}) {
    const done = [];
    // APIs this run created: AWS's listing can lag behind CreateApi, and an API the run knows exists must count.
    const created = new Set();
    for (let round = 1; round <= MAX_ROUNDS; round++) {
        const facts = {};
        let early;
        /** The early upload's outcome, once it is over: done (it counts) or failed (the round's error says why). */
        const earlyOver = async () => {
            if (!early)
                return;
            try {
                await early.running;
                done.push(early.action);
            }
            catch {
                // The round fails or goes stale for its own reason; the upload's error is not that reason.
            }
        };
        let observed;
        let desired;
        let plan;
        try {
            const read = await adapter.observe({
                onFirstRound: (partial) => {
                    const upload = earlyCodeUpload(desiredFor, partial);
                    if (!upload)
                        return;
                    const execute = adapter.executor(upload.desired);
                    const startedAt = performance.now();
                    const running = execute(upload.action, facts);
                    running.catch(() => undefined);
                    early = { action: upload.action, running, startedAt, execute };
                },
            });
            observed = await withCreatedApis(adapter, read, created, done);
            desired = desiredFor(observed);
            plan = planDeploy(desired, observed);
        }
        catch (error) {
            await earlyOver();
            throw error;
        }
        const started = early;
        if (started && !plan.actions.some((a) => sameAction(a, started.action))) {
            await earlyOver();
            events.log?.(`round ${round}: the code upload sent before the plan is not the plan's; observing again`);
            continue;
        }
        events.onPlan?.(plan, round);
        if (round === 1)
            for (const note of plan.notes ?? [])
                events.log?.(`note: ${note}`);
        Object.assign(facts, { apiId: plan.apiId, integrationId: plan.integrationId });
        let raceCheck;
        // The early upload's executor, when there was one: it knows the function's update is still settling.
        const execute = started?.execute ?? adapter.executor(desired);
        const gated = async (action, f) => {
            if (raceCheck && GRANTS.has(action.write) && (await raceCheck))
                throw new StaleObservation('another deploy created an API for this stage first');
            return execute(action, f);
        };
        try {
            done.push(...(await applyPlan(plan.actions, gated, facts, {
                onDone: (action, ms) => {
                    events.onAction?.(action, ms);
                    // Another deploy of this stage may have created an API at the same moment: find out beside the rest.
                    if (action.write === 'CreateApi') {
                        if (facts.createdApi)
                            created.add(facts.createdApi.id);
                        const own = facts.createdApi;
                        raceCheck = adapter.taggedApis().then((apis) => survivingApi(own && !apis.some((a) => a.id === own.id) ? [...apis, own] : apis)?.id !== facts.apiId, (error) => {
                            throw new Error(`listing this stage's APIs after creating one: ${error.message}`, { cause: error });
                        });
                        // A round that fails or goes stale never awaits it: its failure must not become an unhandled rejection.
                        raceCheck.catch(() => undefined);
                    }
                },
            }, started ? [started] : [])));
        }
        catch (error) {
            // What a failed or stale round did is still done: it counts in the result, and in what later rounds know.
            if (error instanceof ApplyError)
                done.push(...error.done);
            if (isStale(error) && round < MAX_ROUNDS) {
                events.log?.(`round ${round}: ${error.message}; observing again`);
                continue;
            }
            throw error;
        }
        if (raceCheck && (await raceCheck)) {
            events.log?.(`round ${round}: another deploy created an API for this stage at the same time; keeping the older one`);
            continue;
        }
        const apiId = facts.apiId;
        const release = plan.release;
        return {
            ...(release
                ? {
                    release: {
                        live: release.live ?? facts.version,
                        kept: [...(release.publishes && facts.version ? [facts.version] : []), ...release.kept],
                        previous: release.previous,
                    },
                }
                : {}),
            url: desired.domain
                ? domainUrl(desired.domain.name)
                : websocketUrl(desired.partition, apiId, desired.region, desired.names.stageName),
            apiUrl: websocketUrl(desired.partition, apiId, desired.region, desired.names.stageName),
            ...(desired.domain ? { domain: desired.domain.name } : {}),
            apiId,
            functionName: desired.names.functionName,
            functionArn: arn.function(desired.partition, desired.region, desired.account, desired.names.functionName),
            region: desired.region,
            stage: desired.names.stageName,
            routes: desired.api.routeKeys,
            changed: done.length > 0,
            actions: done,
            rounds: round,
        };
    }
    throw new Error(`the stage did not converge after ${MAX_ROUNDS} rounds: something keeps changing it (another deploy?); re-run when it is done`);
}
/** Moves `live` back (planRollback): one write, or none when it points there already. */
export async function rollbackStage(adapter, identity, to, events = {}) {
    const observed = await adapter.observe();
    const plan = planRollback(resourceNames(identity), observed, to);
    events.onPlan?.(plan, 1);
    const actions = await applyPlan(plan.actions, adapter.executor(), {}, { onDone: events.onAction });
    return {
        from: observed.fn?.alias?.version ?? '',
        to: plan.release?.live ?? '',
        actions,
        kept: plan.release?.kept ?? [],
    };
}
export async function removeStage(adapter, identity, events = {}) {
    const names = resourceNames(identity);
    const removed = [];
    let found = false;
    let foreign = [];
    for (let round = 1; round <= MAX_ROUNDS; round++) {
        const observed = await adapter.observe({ forRemoval: true });
        foreign = observed.foreign;
        const plan = planRemove({ names, identity }, observed);
        events.onPlan?.(plan, round);
        if (round === 1)
            for (const note of plan.notes ?? [])
                events.log?.(`note: ${note}`);
        if (plan.actions.length === 0)
            return { removed, found, foreign };
        found = true;
        try {
            removed.push(...(await applyPlan(plan.actions, adapter.executor(), {}, { onDone: events.onAction })));
        }
        catch (error) {
            if (error instanceof ApplyError)
                removed.push(...error.done);
            if (isStale(error) && round < MAX_ROUNDS)
                continue;
            throw error;
        }
    }
    throw new Error(`the stage could not be removed after ${MAX_ROUNDS} rounds: something keeps recreating it`);
}
