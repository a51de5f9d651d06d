// Deterministic names, tags and ARNs of one stage's resources. No state file: these are how a stage is found again.
import { createHash } from 'node:crypto';
export const TAG_APP = 'socket-action:app';
export const TAG_STAGE = 'socket-action:stage';
export const TAG_REPO = 'socket-action:repo';
export const TAG_VERSION = 'socket-action:version';
/** When an API was created, to the millisecond: API Gateway's CreatedDate has whole seconds, too coarse to order a race. */
export const TAG_CREATED = 'socket-action:created';
export function ownTags(id, version) {
    return { [TAG_APP]: id.app, [TAG_STAGE]: id.stage, [TAG_REPO]: id.repo, [TAG_VERSION]: version };
}
/** Whether tags name this app, stage and repository (the version may differ). */
export function isOurs(tags, id) {
    return !!tags && tags[TAG_APP] === id.app && tags[TAG_STAGE] === id.stage && tags[TAG_REPO] === id.repo;
}
/** `name` if it fits, else its head and a hash of the whole, so distinct long names stay distinct. */
export function fitName(name, max) {
    if (name.length <= max)
        return name;
    const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
    return `${name.slice(0, max - hash.length - 1).replace(/[-_]+$/, '')}-${hash}`;
}
/** API Gateway stage names allow only `[A-Za-z0-9_-]`. */
export function stageName(stage) {
    return fitName(stage.replace(/[^A-Za-z0-9_-]/g, '-'), 128);
}
export function resourceNames(id) {
    const base = `${id.app}-${id.stage}`.replace(/[^A-Za-z0-9_-]/g, '-');
    return {
        functionName: fitName(base, 64),
        roleName: fitName(`${base}-socket`, 64),
        apiName: fitName(base, 128),
        stageName: stageName(id.stage),
        policyName: 'socket-action',
        permissionSid: 'socket-action-apigateway',
    };
}
export const arn = {
    role: (account, roleName) => `arn:aws:iam::${account}:role/${roleName}`,
    function: (region, account, functionName) => `arn:aws:lambda:${region}:${account}:function:${functionName}`,
    api: (region, account, apiId) => `arn:aws:execute-api:${region}:${account}:${apiId}`,
    apiResource: (region, apiId) => `arn:aws:apigateway:${region}::/apis/${apiId}`,
    stageResource: (region, apiId, stage) => `arn:aws:apigateway:${region}::/apis/${apiId}/stages/${stage}`,
    /** The URI API Gateway needs for a Lambda proxy integration of a WebSocket API. */
    lambdaIntegration: (region, functionArn) => `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${functionArn}/invocations`,
    logGroup: (region, account, functionName) => `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/${functionName}`,
};
export function websocketUrl(apiId, region, stage) {
    return `wss://${apiId}.execute-api.${region}.amazonaws.com/${stage}`;
}
