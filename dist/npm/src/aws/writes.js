// Every write the engine makes, one AWS call (plus its wait) per action, with the retries AWS asks for.
import { CreateApiCommand, CreateDeploymentCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand, DeleteApiCommand, DeleteIntegrationCommand, DeleteRouteCommand, GetDeploymentCommand, TagResourceCommand as TagApiResourceCommand, UpdateApiCommand, UpdateIntegrationCommand, UpdateRouteCommand, UpdateStageCommand, } from '@aws-sdk/client-apigatewayv2';
import { CreateRoleCommand, DeleteRoleCommand, DeleteRolePolicyCommand, DetachRolePolicyCommand, PutRolePermissionsBoundaryCommand, PutRolePolicyCommand, TagRoleCommand, UpdateAssumeRolePolicyCommand, } from '@aws-sdk/client-iam';
import { AddPermissionCommand, CreateFunctionCommand, DeleteFunctionCommand, RemovePermissionCommand, TagResourceCommand as TagFunctionCommand, UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand, waitForFunctionActiveV2, waitForFunctionUpdatedV2, } from '@aws-sdk/client-lambda';
import { resolveParams } from "../engine/apply.js";
import { CreateLogGroupCommand, DeleteLogGroupCommand, PutRetentionPolicyCommand, TagResourceCommand } from '@aws-sdk/client-cloudwatch-logs';
import { deploymentMarker } from "../engine/plan.js";
import { TAG_CREATED } from "../engine/names.js";
import { explainAwsError, isConflict, isDeleteConflict, isNotFound, isRoleNotReady, isTooManyRequests, isUpdateInProgress, StaleObservation } from "./errors.js";
import { realSleep, retry } from "./retry.js";
import { waitingFor } from "../progress/progress.js";
export const AWS_WAITS = { minDelay: 1, maxDelay: 5, maxWaitTime: 300 };
const tagList = (tags) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
function functionConfiguration(spec) {
    return {
        Runtime: spec.runtime,
        Role: spec.roleArn,
        Handler: spec.handler,
        Description: spec.description,
        Timeout: spec.timeout,
        MemorySize: spec.memory,
        Environment: { Variables: spec.env },
    };
}
async function ignoreNotFound(write) {
    try {
        await write;
    }
    catch (error) {
        if (!isNotFound(error))
            throw error;
    }
}
/** Something we were about to create exists already: another run got there first. Observe again. */
async function raceSafe(write, what) {
    try {
        await write;
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
    /** A write another change to the function may still hold up (the plan orders ours; others may run beside it). */
    const busyRetried = async (write) => void (await retrying(write, isUpdateInProgress, 'the function to accept a change'));
    const run = async (action, facts) => {
        const p = resolveParams(action.params, facts);
        const { apigw, iam, lambda } = clients;
        switch (`${action.resource}:${action.change}`) {
            case 'api:create': {
                const tags = { ...p.Tags, [TAG_CREATED]: new Date().toISOString() };
                const out = await apigw.send(new CreateApiCommand({ ...p, Tags: tags }));
                facts.apiId = out.ApiId;
                facts.createdApi = { id: out.ApiId, createdDate: out.CreatedDate?.toISOString(), tags };
                return;
            }
            case 'api:update':
                if (action.id === 'api:tag')
                    return void (await apigw.send(new TagApiResourceCommand(p)));
                return void (await apigw.send(new UpdateApiCommand(p)));
            case 'api:delete':
                return ignoreNotFound(apigw.send(new DeleteApiCommand({ ApiId: p.apiId })));
            case 'role:create':
                return boundaryMustExist(raceSafe(iam.send(new CreateRoleCommand({
                    RoleName: p.RoleName,
                    Description: p.Description,
                    AssumeRolePolicyDocument: JSON.stringify(p.AssumeRolePolicyDocument),
                    Tags: tagList(p.Tags),
                    PermissionsBoundary: p.PermissionsBoundary,
                })), `role ${p.RoleName}`), p.PermissionsBoundary);
            case 'role:update':
                if (action.id === 'role:boundary') {
                    return boundaryMustExist(iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: p.RoleName, PermissionsBoundary: p.PermissionsBoundary })), p.PermissionsBoundary);
                }
                if (action.id === 'role:tag')
                    return void (await iam.send(new TagRoleCommand({ RoleName: p.RoleName, Tags: tagList(p.Tags) })));
                return void (await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: p.RoleName, PolicyDocument: JSON.stringify(p.PolicyDocument) })));
            case 'role:delete':
                return retrying(() => ignoreNotFound(iam.send(new DeleteRoleCommand({ RoleName: p.RoleName }))), isDeleteConflict, 'IAM to let go of the deleted policies');
            case 'role-policy:create':
            case 'role-policy:update':
                return void (await iam.send(new PutRolePolicyCommand({ RoleName: p.RoleName, PolicyName: p.PolicyName, PolicyDocument: JSON.stringify(p.PolicyDocument) })));
            case 'role-policy:delete':
                if (p.PolicyArn)
                    return ignoreNotFound(iam.send(new DetachRolePolicyCommand({ RoleName: p.RoleName, PolicyArn: p.PolicyArn })));
                return ignoreNotFound(iam.send(new DeleteRolePolicyCommand({ RoleName: p.RoleName, PolicyName: p.PolicyName })));
            case 'log-group:create':
                // CreateLogGroup takes no retention: a run that dies between the two calls is finished by the next (an update).
                await raceSafe(clients.logs.send(new CreateLogGroupCommand({ logGroupName: p.logGroupName, tags: p.tags })), `log group ${p.logGroupName}`);
                return void (await clients.logs.send(new PutRetentionPolicyCommand({ logGroupName: p.logGroupName, retentionInDays: p.retentionInDays })));
            case 'log-group:update':
                if (action.id === 'log-group:tag')
                    return void (await clients.logs.send(new TagResourceCommand({ resourceArn: p.resourceArn, tags: p.tags })));
                return void (await clients.logs.send(new PutRetentionPolicyCommand({ logGroupName: p.logGroupName, retentionInDays: p.retentionInDays })));
            case 'log-group:delete':
                return ignoreNotFound(clients.logs.send(new DeleteLogGroupCommand({ logGroupName: p.logGroupName })));
            case 'function:create': {
                const spec = p.spec;
                await retrying(() => raceSafe(lambda.send(new CreateFunctionCommand({
                    FunctionName: p.FunctionName,
                    ...functionConfiguration(spec),
                    Architectures: [spec.architecture],
                    Code: { ZipFile: ctx.zip },
                    PackageType: 'Zip',
                    Tags: p.Tags,
                })), `function ${p.FunctionName}`), isRoleNotReady, `role ${spec.roleArn.split('/').pop()} to become usable by Lambda`);
                await waitActive(p.FunctionName);
                return;
            }
            case 'function:update': {
                if (action.id === 'function:tag')
                    return busyRetried(() => lambda.send(new TagFunctionCommand({ Resource: p.Resource, Tags: p.Tags })));
                const spec = p.spec;
                await retrying(() => lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: p.FunctionName, ...functionConfiguration(spec) })), (e) => isUpdateInProgress(e) || isRoleNotReady(e), `function ${p.FunctionName} to accept an update`);
                await waitUpdated(p.FunctionName);
                return;
            }
            case 'function-code:update':
                await retrying(() => lambda.send(new UpdateFunctionCodeCommand({ FunctionName: p.FunctionName, ZipFile: ctx.zip, Architectures: [desired.fn.architecture] })), isUpdateInProgress, `function ${p.FunctionName} to accept an update`);
                await waitUpdated(p.FunctionName);
                return;
            case 'function:delete':
                return ignoreNotFound(lambda.send(new DeleteFunctionCommand({ FunctionName: p.FunctionName })));
            case 'permission:create':
            case 'permission:update':
                return busyRetried(() => raceSafe(lambda.send(new AddPermissionCommand(p)), `permission ${p.StatementId}`));
            case 'permission:delete':
                return busyRetried(() => ignoreNotFound(lambda.send(new RemovePermissionCommand({ FunctionName: p.FunctionName, StatementId: p.StatementId }))));
            case 'integration:create': {
                const out = await apigw.send(new CreateIntegrationCommand(p));
                facts.integrationId = out.IntegrationId;
                return;
            }
            case 'integration:update':
                return void (await apigw.send(new UpdateIntegrationCommand(p)));
            case 'integration:delete':
                return ignoreNotFound(apigw.send(new DeleteIntegrationCommand({ ApiId: p.ApiId, IntegrationId: p.IntegrationId })));
            case 'route:create':
                return raceSafe(apigw.send(new CreateRouteCommand(p)), `route ${p.RouteKey}`);
            case 'route:update':
                return void (await apigw.send(new UpdateRouteCommand(p)));
            case 'route:delete':
                return ignoreNotFound(apigw.send(new DeleteRouteCommand({ ApiId: p.ApiId, RouteId: p.RouteId })));
            case 'deployment:create': {
                // API Gateway allows 1 CreateDeployment every 5 s per account: parallel deploys take turns.
                const out = await retrying(() => apigw.send(new CreateDeploymentCommand({ ApiId: p.ApiId, Description: p.Description })), isTooManyRequests, "API Gateway's deployment quota (1 every 5 s per account)");
                await deploymentSettled(p.ApiId, out);
                facts.deploymentId = out.DeploymentId;
                return;
            }
            case 'stage:create':
                return raceSafe(apigw.send(new CreateStageCommand(p)), `stage ${p.StageName}`);
            case 'stage:update':
                if (action.id === 'stage:tag')
                    return void (await apigw.send(new TagApiResourceCommand(p)));
                return void (await apigw.send(new UpdateStageCommand(p)));
        }
        throw new Error(`internal: no write for ${action.resource}:${action.change}`);
    };
    return async (action, facts) => {
        // The stage marker names the integration the deployment contains; it is known once that integration exists.
        if (desired && facts.integrationId && !facts.marker)
            facts.marker = deploymentMarker(desired, facts.integrationId);
        try {
            await run(action, facts);
        }
        catch (error) {
            if (error instanceof StaleObservation)
                throw error;
            // A resource deleted under us (a race, a hand edit): the next round observes again.
            if (isNotFound(error))
                throw new StaleObservation(`${action.resource} ${action.name} vanished meanwhile`);
            throw explainAwsError(error, `${action.change} ${action.resource} ${action.name}`);
        }
    };
}
