// Every write the engine makes, one AWS call (plus its wait) per action, with the retries AWS asks for. The writes that
// are that call with the SDK input the planner built are a table; the others (retries, waits, facts learnt, references
// resolved) a switch on the action's `write`, whose default is the table: a write in neither does not compile.
import { CreateApiCommand, CreateApiMappingCommand, CreateDeploymentCommand, CreateDomainNameCommand, DeleteApiMappingCommand, DeleteDomainNameCommand, GetDomainNameCommand, UpdateApiMappingCommand, UpdateDomainNameCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand, DeleteApiCommand, DeleteIntegrationCommand, DeleteRouteCommand, GetDeploymentCommand, TagResourceCommand as TagApiResourceCommand, UntagResourceCommand as UntagApiResourceCommand, UpdateApiCommand, UpdateIntegrationCommand, UpdateRouteCommand, UpdateStageCommand, } from '@aws-sdk/client-apigatewayv2';
import { CreateRoleCommand, DeleteRoleCommand, DeleteRolePolicyCommand, DetachRolePolicyCommand, PutRolePermissionsBoundaryCommand, PutRolePolicyCommand, TagRoleCommand, UpdateAssumeRolePolicyCommand, } from '@aws-sdk/client-iam';
import { AddPermissionCommand, CreateAliasCommand, CreateFunctionCommand, DeleteFunctionCommand, PublishVersionCommand, RemovePermissionCommand, TagResourceCommand as TagFunctionCommand, UpdateAliasCommand, UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand, waitForFunctionActiveV2, waitForFunctionUpdatedV2, waitForPublishedVersionActive, } from '@aws-sdk/client-lambda';
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, TagResourceCommand as TagTableCommand, UpdateTimeToLiveCommand, } from '@aws-sdk/client-dynamodb';
import { ChangeResourceRecordSetsCommand, GetChangeCommand } from '@aws-sdk/client-route-53';
import { resolveDocument, resolved } from "../engine/refs.js";
import { CreateLogGroupCommand, DeleteLogGroupCommand, PutRetentionPolicyCommand, TagResourceCommand, } from '@aws-sdk/client-cloudwatch-logs';
import { deploymentMarker } from "../engine/plan.js";
import { TAG_CREATED } from "../engine/names.js";
import { explainAwsError, isConflict, isDeleteConflict, isLimitExceeded, isNotFound, isRecordChangeRefused, isResourceInUse, isRoleNotReady, isTooManyRequests, isUpdateInProgress, StaleObservation, } from "./errors.js";
import { realSleep, retry } from "./retry.js";
import { waitingFor } from "../progress/progress.js";
import { failedSmokeDescription } from "../engine/plan.js";
/**
 * The smoke test failed: the alias `live` was not moved to the new version, or, on the stage's first release, live
 * points to it with nothing earlier to serve (`firstRelease`). `cause` is what the smoke test threw.
 */
export class BlockedBySmokeTest extends Error {
    target;
    firstRelease;
    name = 'BlockedBySmokeTest';
    constructor(target, cause, firstRelease = false) {
        const why = cause instanceof Error ? cause.message : String(cause);
        super(firstRelease
            ? `the smoke test of ${target.functionName} version ${target.qualifier} failed: ${why}. It is the stage's first version, so the alias live points to it (there is no earlier one to serve, and nobody was told the URL): fix socket.js and deploy again`
            : `the smoke test of ${target.functionName} version ${target.qualifier} failed, so the alias live was not moved to it: ${why}`, { cause });
        this.target = target;
        this.firstRelease = firstRelease;
    }
}
/** Writes that change the function itself ($LATEST, its tags, its policy): each waits for the last to finish. */
const FUNCTION_WRITES = new Set([
    'UpdateFunctionConfiguration',
    'UpdateFunctionCode',
    'TagFunction',
    'AddPermission',
    'RemovePermission',
    'PublishVersion',
]);
/** The function a write changes, by name (TagResource names it by ARN). */
function functionNameOf(action) {
    if (action.write === 'TagFunction')
        return action.params.Resource?.split(':function:')[1]?.split(':')[0];
    return 'FunctionName' in action.params ? String(action.params.FunctionName) : undefined;
}
/** The version a write published (CreateFunction/UpdateFunctionCode with Publish, PublishVersion): a number. */
function publishedVersion(out, write) {
    if (!out.Version || !/^\d+$/.test(out.Version))
        throw new Error(`${write} answered version ${JSON.stringify(out.Version)}, not the number of a published version`);
    return out.Version;
}
export const AWS_WAITS = { minDelay: 1, maxDelay: 5, maxWaitTime: 300 };
async function ignoreNotFound(write) {
    try {
        await write;
    }
    catch (error) {
        if (!isNotFound(error))
            throw error;
    }
}
/** The writes that are one SDK call with the planner's params as they are; a delete that finds nothing is done. */
const ONE_CALL = {
    UpdateApi: ({ apigw }, p) => apigw.send(new UpdateApiCommand(p)),
    TagApi: ({ apigw }, p) => apigw.send(new TagApiResourceCommand(p)),
    UntagApi: ({ apigw }, p) => apigw.send(new UntagApiResourceCommand(p)),
    TagStage: ({ apigw }, p) => apigw.send(new TagApiResourceCommand(p)),
    DeleteApi: ({ apigw }, p) => ignoreNotFound(apigw.send(new DeleteApiCommand(p))),
    TagRole: ({ iam }, p) => iam.send(new TagRoleCommand(p)),
    UpdateAssumeRolePolicy: ({ iam }, p) => iam.send(new UpdateAssumeRolePolicyCommand(p)),
    DetachRolePolicy: ({ iam }, p) => ignoreNotFound(iam.send(new DetachRolePolicyCommand(p))),
    DeleteRolePolicy: ({ iam }, p) => ignoreNotFound(iam.send(new DeleteRolePolicyCommand(p))),
    PutRetentionPolicy: ({ logs }, p) => logs.send(new PutRetentionPolicyCommand(p)),
    TagLogGroup: ({ logs }, p) => logs.send(new TagResourceCommand(p)),
    DeleteLogGroup: ({ logs }, p) => ignoreNotFound(logs.send(new DeleteLogGroupCommand(p))),
    DeleteFunction: ({ lambda }, p) => ignoreNotFound(lambda.send(new DeleteFunctionCommand(p))),
    UpdateDomainName: ({ apigw }, p) => apigw.send(new UpdateDomainNameCommand(p)),
    TagDomainName: ({ apigw }, p) => apigw.send(new TagApiResourceCommand(p)),
    DeleteDomainName: ({ apigw }, p) => ignoreNotFound(apigw.send(new DeleteDomainNameCommand(p))),
    DeleteApiMapping: ({ apigw }, p) => ignoreNotFound(apigw.send(new DeleteApiMappingCommand(p))),
};
/**
 * Sends a write of ONE_CALL. Typed as a mapped type over its writes and indexed by the generic W (TypeScript's
 * correlated-union pattern, microsoft/TypeScript#47109), the entry is known to take this action's params: no cast.
 */
async function oneCall(clients, action) {
    const calls = ONE_CALL;
    await calls[action.write](clients, action.params);
}
/** Something we were about to create exists already: another run got there first. Observe again. */
async function raceSafe(write, what) {
    try {
        return await write;
    }
    catch (error) {
        if (isConflict(error))
            throw new StaleObservation(`${what} was created meanwhile (another deploy of this stage?)`);
        throw error;
    }
}
/**
 * IAM answers NoSuchEntity when the boundary policy does not exist: no later round can fix that, so it is said plainly
 * (not taken for a resource that vanished meanwhile).
 */
async function boundaryMustExist(write, boundary) {
    try {
        await write;
    }
    catch (error) {
        if (boundary && isNotFound(error) && String(error.message).includes(boundary)) {
            throw new Error(`the permissions boundary ${boundary} does not exist (or is not a policy a role can have as its boundary): create it once from .github/aws/socket-action-boundary.json (README: "AWS setup"), or fix permissions-boundary`, { cause: error });
        }
        throw error;
    }
}
/**
 * A wait that did not succeed, said with the function's state and reason only: the SDK's own waiter error carries the
 * whole GetFunction response, environment values and a signed code URL included, which must never reach a log.
 */
export function settled(functionName, what, result) {
    if (result.state === 'SUCCESS')
        return;
    const reason = result.reason;
    const c = reason && 'Configuration' in reason ? reason.Configuration : undefined;
    const detail = c
        ? `State ${c.State}${c.StateReason ? ` (${c.StateReason})` : ''}, LastUpdateStatus ${c.LastUpdateStatus}${c.LastUpdateStatusReason ? ` (${c.LastUpdateStatusReason})` : ''}`
        : reason instanceof Error
            ? `${reason.name}: ${reason.message}`
            : // On a timeout the waiter keeps only "status: message" per answer (no bodies): enough to show a 403 or throttling.
                `answers seen: ${Object.keys(result.observedResponses ?? {}).join('; ') || 'none'}`;
    throw new Error(`function ${functionName} did not ${what} (${result.state === 'TIMEOUT' ? 'timed out' : result.state.toLowerCase()}): ${detail}`);
}
export function executor(ctx) {
    const { clients, desired } = ctx;
    const { apigw } = clients;
    const waits = ctx.waits ?? AWS_WAITS;
    /** Retries `write` while AWS asks us to wait; from the first retry on, that wait is reported as `what`. */
    const retrying = async (write, retryable, what) => {
        let endWait;
        try {
            return await retry(write, {
                retryable,
                sleep: ctx.sleep,
                baseMs: ctx.retryBaseMs ?? 500,
                onRetry: (e) => {
                    if (endWait)
                        return;
                    ctx.log?.(`  waiting for ${what}: ${e.message}`);
                    endWait = ctx.progress?.waitFor(what) ?? (() => { });
                },
            });
        }
        finally {
            endWait?.();
        }
    };
    const waitActive = (FunctionName) => waitingFor(ctx.progress, `function ${FunctionName} to become Active`, async () => settled(FunctionName, 'become Active', await waitForFunctionActiveV2({ client: clients.lambda, ...waits }, { FunctionName })));
    /** A published version is invocable once Active (one published with a function still Pending starts Pending). */
    const waitVersionActive = (FunctionName, Qualifier) => waitingFor(ctx.progress, `version ${Qualifier} of ${FunctionName} to become Active`, async () => settled(`${FunctionName}:${Qualifier}`, 'become Active', await waitForPublishedVersionActive({ client: clients.lambda, ...waits }, { FunctionName, Qualifier })));
    const waitUpdated = (FunctionName) => waitingFor(ctx.progress, `function ${FunctionName} to finish its update`, async () => settled(FunctionName, 'finish its update', await waitForFunctionUpdatedV2({ client: clients.lambda, ...waits }, { FunctionName })));
    /** A deployment is usable once DEPLOYED: wait out PENDING, and fail on FAILED with API Gateway's reason. */
    const deploymentSettled = async (ApiId, created) => {
        let current = created;
        const started = performance.now();
        const pause = ctx.sleep ?? realSleep;
        while (current.DeploymentStatus === 'PENDING') {
            if (performance.now() - started > waits.maxWaitTime * 1000)
                throw new Error(`deployment ${created.DeploymentId} of API ${ApiId} is still PENDING after ${waits.maxWaitTime} s`);
            await pause(waits.minDelay * 1000);
            current = await apigw.send(new GetDeploymentCommand({ ApiId, DeploymentId: created.DeploymentId }));
        }
        if (current.DeploymentStatus === 'FAILED') {
            throw new Error(`API Gateway could not deploy API ${ApiId} (deployment ${created.DeploymentId} FAILED): ${current.DeploymentStatusMessage ?? 'no reason given'}`);
        }
    };
    /**
     * Polls until `read` says done (true) or gives up after maxWaitTime, backing off from minDelay to maxDelay; `read`
     * throws to fail the wait.
     */
    const pollUntil = (what, read, stillMessage) => waitingFor(ctx.progress, what, async () => {
        const started = performance.now();
        const pause = ctx.sleep ?? realSleep;
        let delay = waits.minDelay;
        while (!(await read())) {
            if (performance.now() - started > waits.maxWaitTime * 1000)
                throw new Error(`${stillMessage()} after ${waits.maxWaitTime} s`);
            await pause(delay * 1000);
            delay = Math.min(waits.maxDelay, delay * 2);
        }
    });
    /** A domain name serves once AVAILABLE; a certificate or ownership problem is said with API Gateway's reason. */
    const domainAvailable = (DomainName) => {
        let status = 'unknown';
        return pollUntil(`domain ${DomainName} to become AVAILABLE`, async () => {
            const out = await apigw.send(new GetDomainNameCommand({ DomainName }));
            const configuration = out.DomainNameConfigurations?.[0];
            status = configuration?.DomainNameStatus ?? 'AVAILABLE';
            if (status === 'AVAILABLE')
                return true;
            if (status !== 'UPDATING')
                throw new Error(`domain ${DomainName} is ${status}: ${configuration?.DomainNameStatusMessage ?? 'API Gateway gives no reason'}`);
            return false;
        }, () => `domain ${DomainName} is still ${status}`);
    };
    /** A Route 53 change is applied on every name server once INSYNC. */
    const changeInSync = (Id, what) => {
        let status = 'PENDING';
        return pollUntil(`${what} to reach Route 53's name servers`, async () => {
            if (!Id)
                return true;
            status = (await clients.route53.send(new GetChangeCommand({ Id }))).ChangeInfo?.Status ?? 'INSYNC';
            return status === 'INSYNC';
        }, () => `${what} is still ${status} in Route 53`);
    };
    /** The table's status, or undefined once it is gone. */
    const tableStatus = async (TableName) => {
        try {
            return (await clients.dynamodb.send(new DescribeTableCommand({ TableName }))).Table?.TableStatus ?? 'ACTIVE';
        }
        catch (error) {
            if (isNotFound(error))
                return undefined;
            throw error;
        }
    };
    /**
     * Polls the table until it is usable (ACTIVE, or UPDATING, which serves) or, for `gone`, until DescribeTable no
     * longer finds it; backing off from minDelay to maxDelay, for at most maxWaitTime.
     */
    const tableSettled = (TableName, until) => waitingFor(ctx.progress, until === 'ACTIVE' ? `table ${TableName} to become ACTIVE` : `table ${TableName} to finish deleting`, async () => {
        const started = performance.now();
        const pause = ctx.sleep ?? realSleep;
        let delay = waits.minDelay;
        for (;;) {
            const status = await tableStatus(TableName);
            if (until === 'gone' ? status === undefined : status === 'ACTIVE' || status === 'UPDATING')
                return;
            if (until === 'ACTIVE' && (status === undefined || status === 'DELETING'))
                throw new StaleObservation(`table ${TableName} is ${status ?? 'gone'} (deleted meanwhile?)`);
            if (until === 'ACTIVE' && status !== 'CREATING')
                throw new Error(`table ${TableName} is ${status}: DynamoDB cannot use it until that is fixed in the account`);
            if (performance.now() - started > waits.maxWaitTime * 1000)
                throw new Error(`table ${TableName} is still ${status} after ${waits.maxWaitTime} s`);
            await pause(delay * 1000);
            delay = Math.min(waits.maxDelay, delay * 2);
        }
    });
    /** A table write DynamoDB refuses while the table is CREATING or UPDATING, or while the account runs too many. */
    const tableRetried = (write, TableName) => retrying(write, (e) => isResourceInUse(e) || isLimitExceeded(e), `table ${TableName} to accept a change`);
    /** A write another change to the function may still hold up (the plan orders ours; others may run beside it). */
    const busyRetried = async (write) => void (await retrying(write, isUpdateInProgress, 'the function to accept a change'));
    /**
     * Functions whose last write published a version and returned before Lambda finished (CreateFunction or
     * UpdateFunctionCode with Publish): the wait for it runs in the background, beside what uses the version, and the
     * next write to the function itself awaits it (Lambda takes one change at a time).
     */
    const settling = new Map();
    const settleLater = (FunctionName, wait) => {
        const waited = wait(FunctionName);
        // Awaited by the next write to the function; a wait nothing awaits has nothing to hold up (the smoke test, or
        // the alias write's own wait, finds a version that cannot run).
        waited.catch(() => undefined);
        settling.set(FunctionName ?? '', waited);
    };
    const functionSettled = async (FunctionName) => {
        const waited = settling.get(FunctionName ?? '');
        if (!waited)
            return;
        await waited;
        settling.delete(FunctionName ?? '');
    };
    /** CreateAlias of this apply, when it ran: true once live exists. */
    let aliasCreated;
    /**
     * A first release's smoke test failed, and live (created beside it) points to that version: say so in the alias's
     * description, so the next deploy tests it again instead of finding live current. Best effort: the deploy fails
     * either way, and without the mark the next deploy of the same code is only not re-tested.
     */
    const markFailedFirstRelease = async (FunctionName, version) => {
        if (!(await aliasCreated))
            return;
        try {
            await clients.lambda.send(new UpdateAliasCommand({
                FunctionName,
                Name: desired?.names.aliasName ?? 'live',
                FunctionVersion: version,
                Description: failedSmokeDescription(version),
            }));
        }
        catch (error) {
            ctx.log?.(`  could not mark live as untested: ${error.message}`);
        }
    };
    const run = async (action, facts) => {
        if (FUNCTION_WRITES.has(action.write))
            await functionSettled(functionNameOf(action));
        const { apigw, iam, lambda, logs } = clients;
        const at = (value) => resolved(value, facts);
        switch (action.write) {
            case 'CreateApi': {
                const p = action.params;
                const tags = { ...p.Tags, [TAG_CREATED]: new Date().toISOString() };
                const out = await apigw.send(new CreateApiCommand({ ...p, Tags: tags }));
                if (!out.ApiId)
                    throw new Error('CreateApi answered without an ApiId');
                facts.apiId = out.ApiId;
                facts.createdApi = { id: out.ApiId, createdDate: out.CreatedDate?.toISOString(), tags };
                return;
            }
            case 'CreateRole': {
                const p = action.params;
                return boundaryMustExist(raceSafe(iam.send(new CreateRoleCommand(p)), `role ${p.RoleName}`), p.PermissionsBoundary);
            }
            case 'PutRolePermissionsBoundary':
                return boundaryMustExist(iam.send(new PutRolePermissionsBoundaryCommand(action.params)), action.params.PermissionsBoundary);
            case 'DeleteRole': {
                const p = action.params;
                return retrying(() => ignoreNotFound(iam.send(new DeleteRoleCommand(p))), isDeleteConflict, 'IAM to let go of the deleted policies');
            }
            case 'PutRolePolicy': {
                const p = action.params;
                return void (await iam.send(new PutRolePolicyCommand({ ...p, PolicyDocument: JSON.stringify(resolveDocument(p.PolicyDocument, facts)) })));
            }
            case 'CreateLogGroup': {
                const { retentionInDays, ...p } = action.params;
                // CreateLogGroup takes no retention: a run that dies between the two calls is finished by the next (an update).
                await raceSafe(logs.send(new CreateLogGroupCommand(p)), `log group ${p.logGroupName}`);
                return void (await logs.send(new PutRetentionPolicyCommand({ logGroupName: p.logGroupName, retentionInDays })));
            }
            case 'CreateFunction': {
                const p = action.params;
                const out = await retrying(() => raceSafe(lambda.send(new CreateFunctionCommand({ ...p, Code: { ZipFile: ctx.zip } })), `function ${p.FunctionName}`), isRoleNotReady, `role ${p.Role?.split('/').pop()} to become usable by Lambda`);
                // Published with the code: what waits for the function to leave Pending is what uses the version (the smoke
                // test's first Invoke, or the alias write), and the function's own writes retry while it is Pending.
                if (p.Publish) {
                    facts.version = publishedVersion(out, 'CreateFunction');
                    settleLater(p.FunctionName, waitActive);
                }
                else
                    await waitActive(p.FunctionName);
                return;
            }
            case 'UpdateFunctionConfiguration': {
                const p = action.params;
                await retrying(() => lambda.send(new UpdateFunctionConfigurationCommand(p)), (e) => isUpdateInProgress(e) || isRoleNotReady(e), `function ${p.FunctionName} to accept an update`);
                await waitUpdated(p.FunctionName);
                return;
            }
            case 'UpdateFunctionCode': {
                const p = action.params;
                const out = await retrying(() => lambda.send(new UpdateFunctionCodeCommand({ ...p, ZipFile: ctx.zip })), isUpdateInProgress, `function ${p.FunctionName} to accept an update`);
                if (p.Publish) {
                    facts.version = publishedVersion(out, 'UpdateFunctionCode');
                    settleLater(p.FunctionName, waitUpdated);
                }
                else
                    await waitUpdated(p.FunctionName);
                return;
            }
            case 'TagFunction': {
                const p = action.params;
                return busyRetried(() => lambda.send(new TagFunctionCommand(p)));
            }
            case 'AddPermission': {
                const p = { ...action.params, SourceArn: at(action.params.SourceArn) };
                return busyRetried(() => raceSafe(lambda.send(new AddPermissionCommand(p)), `permission ${p.StatementId}`));
            }
            case 'RemovePermission': {
                const p = action.params;
                return busyRetried(() => ignoreNotFound(lambda.send(new RemovePermissionCommand(p))));
            }
            case 'PublishVersion': {
                const p = action.params;
                const out = await retrying(() => lambda.send(new PublishVersionCommand(p)), isUpdateInProgress, `function ${p.FunctionName} to accept a new version`);
                facts.version = publishedVersion(out, 'PublishVersion');
                return;
            }
            case 'SmokeTest': {
                const p = action.params;
                const target = {
                    functionName: p.FunctionName,
                    qualifier: resolved(p.Qualifier, facts),
                    codeSha256: p.CodeSha256,
                };
                if (!ctx.smokeTest)
                    throw new Error('internal: the plan has a smoke test but no smoke test was given');
                try {
                    await ctx.smokeTest(target);
                }
                catch (error) {
                    if (p.FirstRelease)
                        await markFailedFirstRelease(p.FunctionName, target.qualifier);
                    throw new BlockedBySmokeTest(target, error, p.FirstRelease);
                }
                return;
            }
            case 'DeleteVersion': {
                const p = action.params;
                return busyRetried(() => ignoreNotFound(lambda.send(new DeleteFunctionCommand(p))));
            }
            case 'CreateAlias': {
                const p = { ...action.params, FunctionVersion: at(action.params.FunctionVersion) };
                const created = busyRetried(() => raceSafe(lambda.send(new CreateAliasCommand(p)), `alias ${p.Name}`));
                aliasCreated = created.then(() => true, () => false);
                return created;
            }
            case 'UpdateAlias': {
                const p = { ...action.params, FunctionVersion: at(action.params.FunctionVersion) };
                // Traffic moves with it: without a smoke test to prove the version runs, at least wait until it can.
                if (!ctx.smokeTest)
                    await waitVersionActive(p.FunctionName, p.FunctionVersion);
                return busyRetried(() => lambda.send(new UpdateAliasCommand(p)));
            }
            case 'CreateIntegration': {
                const out = await apigw.send(new CreateIntegrationCommand({ ...action.params, ApiId: at(action.params.ApiId) }));
                facts.integrationId = out.IntegrationId;
                return;
            }
            case 'UpdateIntegration':
                return void (await apigw.send(new UpdateIntegrationCommand({ ...action.params, ApiId: at(action.params.ApiId) })));
            case 'DeleteIntegration':
                return ignoreNotFound(apigw.send(new DeleteIntegrationCommand({ ...action.params, ApiId: at(action.params.ApiId) })));
            case 'CreateRoute': {
                const p = { ...action.params, ApiId: at(action.params.ApiId), Target: at(action.params.Target) };
                return void (await raceSafe(apigw.send(new CreateRouteCommand(p)), `route ${p.RouteKey}`));
            }
            case 'UpdateRoute':
                return void (await apigw.send(new UpdateRouteCommand({
                    ...action.params,
                    ApiId: at(action.params.ApiId),
                    Target: at(action.params.Target),
                })));
            case 'DeleteRoute':
                return ignoreNotFound(apigw.send(new DeleteRouteCommand({ ...action.params, ApiId: at(action.params.ApiId) })));
            case 'CreateDeployment': {
                const p = { ...action.params, ApiId: at(action.params.ApiId) };
                // API Gateway allows 1 CreateDeployment every 5 s per account: parallel deploys take turns.
                const out = await retrying(() => apigw.send(new CreateDeploymentCommand(p)), isTooManyRequests, "API Gateway's deployment quota (1 every 5 s per account)");
                await deploymentSettled(p.ApiId, out);
                facts.deploymentId = out.DeploymentId;
                return;
            }
            case 'CreateStage': {
                const p = action.params;
                const input = { ...p, ApiId: at(p.ApiId), DeploymentId: at(p.DeploymentId), Description: at(p.Description) };
                return void (await raceSafe(apigw.send(new CreateStageCommand(input)), `stage ${p.StageName}`));
            }
            case 'UpdateStage': {
                const p = action.params;
                return void (await apigw.send(new UpdateStageCommand({
                    ...p,
                    ApiId: at(p.ApiId),
                    DeploymentId: at(p.DeploymentId),
                    Description: at(p.Description),
                })));
            }
            case 'CreateTable': {
                const p = action.params;
                await retrying(async () => {
                    try {
                        await clients.dynamodb.send(new CreateTableCommand(p));
                    }
                    catch (error) {
                        if (!isResourceInUse(error))
                            throw error;
                        // "in use": a table of that name exists. Still DELETING (a remove just before): wait, then create.
                        const status = await tableStatus(p.TableName);
                        if (status === 'DELETING' || status === undefined) {
                            await tableSettled(p.TableName, 'gone');
                            throw error;
                        }
                        throw new StaleObservation(`table ${p.TableName} was created meanwhile (another deploy of this stage?)`);
                    }
                }, (e) => isResourceInUse(e) || isLimitExceeded(e), `table ${p.TableName} to be created`);
                await tableSettled(p.TableName, 'ACTIVE');
                return;
            }
            case 'UpdateTimeToLive': {
                const p = action.params;
                // TTL needs an ACTIVE table: one this round created is; one a crashed run left CREATING may not be yet.
                await tableSettled(p.TableName, 'ACTIVE');
                return void (await tableRetried(() => clients.dynamodb.send(new UpdateTimeToLiveCommand(p)), p.TableName));
            }
            case 'TagTable': {
                const p = action.params;
                return void (await tableRetried(() => clients.dynamodb.send(new TagTableCommand(p)), p.ResourceArn?.split('/').pop()));
            }
            case 'DeleteTable': {
                const p = action.params;
                // Gone already (or DELETING, whose DeleteTable answers "in use" until it is gone): done.
                return tableRetried(() => ignoreNotFound(clients.dynamodb.send(new DeleteTableCommand(p))), p.TableName);
            }
            case 'CreateDomainName': {
                const p = action.params;
                const out = await raceSafe(apigw.send(new CreateDomainNameCommand(p)), `domain ${p.DomainName}`);
                const configuration = out.DomainNameConfigurations?.[0];
                if (!configuration?.ApiGatewayDomainName || !configuration.HostedZoneId)
                    throw new Error(`CreateDomainName answered without the domain's target (ApiGatewayDomainName, HostedZoneId)`);
                facts.domainTarget = configuration.ApiGatewayDomainName;
                facts.domainZoneId = configuration.HostedZoneId;
                return;
            }
            case 'CreateApiMapping': {
                const p = action.params;
                await raceSafe(apigw.send(new CreateApiMappingCommand({ ...p, ApiId: at(p.ApiId) })), `mapping of ${p.DomainName}`);
                // Mapped, the domain serves the stage once API Gateway has it set up: what the URL the deploy reports needs.
                return domainAvailable(p.DomainName);
            }
            case 'UpdateApiMapping': {
                const p = action.params;
                return void (await apigw.send(new UpdateApiMappingCommand({ ...p, ApiId: at(p.ApiId) })));
            }
            case 'CreateRecord':
            case 'DeleteRecord': {
                const p = action.params;
                const create = action.write === 'CreateRecord';
                const what = `record ${p.Name} A`;
                try {
                    const out = await clients.route53.send(new ChangeResourceRecordSetsCommand({
                        HostedZoneId: p.HostedZoneId,
                        ChangeBatch: {
                            Comment: `socket-action ${desired ? `${desired.identity.app}/${desired.identity.stage}` : 'remove'}`,
                            Changes: [
                                {
                                    Action: create ? 'CREATE' : 'DELETE',
                                    ResourceRecordSet: {
                                        Name: p.Name,
                                        Type: p.Type,
                                        AliasTarget: {
                                            DNSName: at(p.AliasTarget.DNSName),
                                            HostedZoneId: at(p.AliasTarget.HostedZoneId),
                                            EvaluateTargetHealth: p.AliasTarget.EvaluateTargetHealth,
                                        },
                                    },
                                },
                            ],
                        },
                    }));
                    // Clients resolve the name once the change is on every name server; a delete need not be waited for.
                    if (create)
                        await changeInSync(out.ChangeInfo?.Id, what);
                }
                catch (error) {
                    if (!create && isRecordChangeRefused(error, 'missing'))
                        return;
                    if (create && isRecordChangeRefused(error, 'exists'))
                        throw new StaleObservation(`${what} was created meanwhile (another deploy of this stage?)`);
                    throw error;
                }
                return;
            }
            default:
                return oneCall(clients, action);
        }
    };
    return async (action, facts) => {
        // The stage marker names the integration the deployment contains; it is known once that integration exists.
        if (desired && facts.integrationId && !facts.marker)
            facts.marker = deploymentMarker(desired, facts.integrationId);
        try {
            await run(action, facts);
        }
        catch (error) {
            if (error instanceof StaleObservation || error instanceof BlockedBySmokeTest)
                throw error;
            // A resource deleted under us (a race, a hand edit): the next round observes again.
            if (isNotFound(error))
                throw new StaleObservation(`${action.resource} ${action.name} vanished meanwhile`);
            throw explainAwsError(error, `${action.change} ${action.resource} ${action.name}`);
        }
    };
}
