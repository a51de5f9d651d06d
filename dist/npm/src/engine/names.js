// Deterministic names, tags and ARNs of one stage's resources. No state file: these are how a stage is found again.
import { createHash } from 'node:crypto';
export const TAG_APP = 'socket-action:app';
export const TAG_STAGE = 'socket-action:stage';
export const TAG_REPO = 'socket-action:repo';
export const TAG_VERSION = 'socket-action:version';
/** The region of the stage: the role, IAM's only global resource here, exists once per region too. */
export const TAG_REGION = 'socket-action:region';
/** On a log group socket-action adopted (Lambda, or a person, made it): it keeps its own retention by default. */
export const TAG_ADOPTED = 'socket-action:adopted';
/** When an API was created, to the millisecond: API Gateway's CreatedDate has whole seconds, too coarse to order a race. */
export const TAG_CREATED = 'socket-action:created';
/**
 * On the stage's API: the custom domain it is mapped to. A domain socket-action adopted (did not make) carries none of
 * our tags, so this is how a later deploy or remove finds the mapping after serverless.yml stopped naming it.
 */
export const TAG_DOMAIN = 'socket-action:domain';
/** On a domain name socket-action made: the hosted zone its alias record is in, for remove to find the record. */
export const TAG_HOSTED_ZONE = 'socket-action:hosted-zone';
export function ownTags(id, version) {
    return {
        [TAG_APP]: id.app,
        [TAG_STAGE]: id.stage,
        [TAG_REPO]: id.repo,
        [TAG_REGION]: id.region,
        [TAG_VERSION]: version,
    };
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
/** `{app}-{stage}` in the characters every AWS name here allows: what each name is built from. */
const baseName = (id) => `${id.app}-${id.stage}`.replace(/[^A-Za-z0-9_-]/g, '-');
export function resourceNames(id) {
    const base = baseName(id);
    return {
        functionName: fitName(base, 64),
        roleName: fitName(`${base}-socket-${id.region}`, 64),
        legacyRoleName: fitName(`${base}-socket`, 64),
        apiName: fitName(base, 128),
        stageName: stageName(id.stage),
        policyName: 'socket-action',
        logGroupName: `/aws/lambda/${fitName(base, 64)}`,
        permissionSid: 'socket-action-apigateway',
        aliasPermissionSid: 'socket-action-apigateway-live',
        aliasName: 'live',
        tableName: tableName(id),
    };
}
/**
 * The connection registry's table. Tables are regional, like functions, so the name needs no region; DynamoDB allows
 * 3-255 characters of `[A-Za-z0-9_.-]`.
 */
export function tableName(id) {
    return fitName(`${baseName(id)}-connections`, 255);
}
const DNS_SUFFIXES = {
    aws: 'amazonaws.com',
    'aws-cn': 'amazonaws.com.cn',
    'aws-us-gov': 'amazonaws.com',
    'aws-iso': 'c2s.ic.gov',
    'aws-iso-b': 'sc2s.sgov.gov',
    'aws-iso-e': 'cloud.adc-e.uk',
    'aws-iso-f': 'csp.hci.ic.gov',
    'aws-eusc': 'amazonaws.eu',
};
export const AWS_PARTITION = { id: 'aws', dnsSuffix: 'amazonaws.com' };
/** The partition of an ARN such as GetCallerIdentity's `arn:aws-cn:sts::123456789012:assumed-role/...`. */
export function partitionOf(anyArn) {
    const id = /^arn:([a-z-]+):/.exec(anyArn)?.[1];
    const dnsSuffix = id ? DNS_SUFFIXES[id] : undefined;
    if (!id || !dnsSuffix)
        throw new Error(`cannot tell the AWS partition of "${anyArn}": expected arn:aws:..., arn:aws-cn:... or arn:aws-us-gov:...`);
    return { id, dnsSuffix };
}
export const arn = {
    role: (p, account, roleName) => `arn:${p.id}:iam::${account}:role/${roleName}`,
    function: (p, region, account, functionName) => `arn:${p.id}:lambda:${region}:${account}:function:${functionName}`,
    api: (p, region, account, apiId) => `arn:${p.id}:execute-api:${region}:${account}:${apiId}`,
    apiResource: (p, region, apiId) => `arn:${p.id}:apigateway:${region}::/apis/${apiId}`,
    stageResource: (p, region, apiId, stage) => `arn:${p.id}:apigateway:${region}::/apis/${apiId}/stages/${stage}`,
    /** The URI API Gateway needs for a Lambda proxy integration of a WebSocket API. */
    lambdaIntegration: (p, region, functionArn) => `arn:${p.id}:apigateway:${region}:lambda:path/2015-03-31/functions/${functionArn}/invocations`,
    table: (p, region, account, tableName) => `arn:${p.id}:dynamodb:${region}:${account}:table/${tableName}`,
    domainName: (p, region, name) => `arn:${p.id}:apigateway:${region}::/domainnames/${name}`,
    logGroup: (p, region, account, functionName) => `arn:${p.id}:logs:${region}:${account}:log-group:/aws/lambda/${functionName}`,
};
/** A custom domain's URL: its API mapping (key '') serves the stage at the root. */
export function domainUrl(name) {
    return `wss://${name}`;
}
export function websocketUrl(p, apiId, region, stage) {
    return `wss://${apiId}.execute-api.${region}.${p.dnsSuffix}/${stage}`;
}
