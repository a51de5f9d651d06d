// AWS errors, recognized by name and turned into what the user should do.
export function errorName(error) {
    return error?.name;
}
// The names each service gives "not found" and "already exists" (IAM's with and without the Exception suffix).
const NOT_FOUND = new Set([
    'NoSuchEntityException',
    'NoSuchEntity',
    'ResourceNotFoundException',
    'NotFoundException',
    'NoSuchHostedZone',
]);
const CONFLICT = new Set([
    'ConflictException',
    'EntityAlreadyExistsException',
    'EntityAlreadyExists',
    'ResourceAlreadyExistsException',
]);
export function isNotFound(error) {
    return NOT_FOUND.has(errorName(error) ?? '');
}
export function isConflict(error) {
    const name = errorName(error) ?? '';
    // Lambda says ResourceConflictException both for "already exists" and for "an update is in progress".
    return (CONFLICT.has(name) ||
        (name === 'ResourceConflictException' && /already exist/i.test(error.message ?? '')));
}
/** Route 53 refuses a record change: CREATE of a record that exists, DELETE of one that does not (as given). */
export function isRecordChangeRefused(error, kind) {
    return (errorName(error) === 'InvalidChangeBatch' &&
        (kind === 'exists' ? /already exists/i : /not found/i).test(error.message ?? ''));
}
/** Lambda refuses a role IAM has not propagated yet: it becomes usable within seconds. */
export function isRoleNotReady(error) {
    return (errorName(error) === 'InvalidParameterValueException' &&
        /cannot be assumed|role defined for the function/i.test(error.message ?? ''));
}
/** IAM has not yet caught up with a policy just deleted from a role (Terraform retries DeleteRole on it too). */
export function isDeleteConflict(error) {
    const name = errorName(error);
    return name === 'DeleteConflictException' || name === 'DeleteConflict';
}
/** A request quota (not a transient throttle the SDK retries a few times): API Gateway's CreateDeployment, say. */
export function isTooManyRequests(error) {
    const name = errorName(error);
    return name === 'TooManyRequestsException' || error?.$metadata?.httpStatusCode === 429;
}
/**
 * DynamoDB: the table is CREATING, UPDATING or DELETING (or, for CreateTable, exists already): its control-plane
 * writes wait until it is ACTIVE or gone.
 */
export function isResourceInUse(error) {
    return errorName(error) === 'ResourceInUseException';
}
/** DynamoDB: too many table operations at once in the account (500 CreateTable/DeleteTable/UpdateTable...): wait. */
export function isLimitExceeded(error) {
    return errorName(error) === 'LimitExceededException';
}
/** Another update of the function is still running. */
/**
 * Lambda refuses to invoke a version that is not ready yet: 409 while its function is Pending (a version published
 * with the code starts so), ResourceNotReadyException while an Inactive one is being set up again.
 */
export function isNotReadyToInvoke(error) {
    const name = errorName(error);
    return (name === 'ResourceNotReadyException' ||
        (name === 'ResourceConflictException' && /state: Pending/i.test(error.message ?? '')));
}
export function isUpdateInProgress(error) {
    return errorName(error) === 'ResourceConflictException' && !/already exist/i.test(error.message ?? '');
}
export { StaleObservation } from "../engine/apply.js";
const NOT_AUTHORIZED = /is not authorized to perform: (\S+) on resource: (\S+)/;
/** The writes a deploy policy that requires a permissions boundary (README) allows only with that boundary. */
const BOUNDED_WRITES = /^iam:(CreateRole|PutRolePolicy|AttachRolePolicy|PutRolePermissionsBoundary)$/;
const BOUNDARY_HINT = ' If the deploy role allows it only with a permissions boundary (README: "AWS setup"), give that boundary: the permissions-boundary input, --permissions-boundary, or inputs.permissionsBoundary.';
/** The message a person needs: for a missing permission, which action on which resource. */
export function explainAwsError(error, doing) {
    const e = error;
    const message = e?.message ?? String(error);
    const denied = NOT_AUTHORIZED.exec(message);
    if (denied || e?.name === 'AccessDeniedException' || e?.name === 'AccessDenied') {
        const what = denied ? `${denied[1]} on ${denied[2]}` : message;
        const hint = denied && BOUNDED_WRITES.test(denied[1]) ? BOUNDARY_HINT : '';
        return new Error(`${doing}: access denied: the deploy credentials need ${what}. Add it to the deploy role's policy (README: "AWS setup", step 4).${hint}`, { cause: error });
    }
    if (e?.name === 'ExpiredTokenException' || e?.name === 'ExpiredToken') {
        return new Error(`${doing}: the AWS credentials have expired: refresh them (or re-run the job to get a new OIDC session).`, { cause: error });
    }
    if (e?.name === 'CredentialsProviderError') {
        return new Error(`${doing}: no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (in GitHub: role-to-assume with OIDC).`, { cause: error });
    }
    const unreachable = unreachableAws(error);
    if (unreachable)
        return new Error(`${doing}: ${unreachable}`, { cause: error });
    return new Error(`${doing}: ${e?.name ? `${e.name}: ` : ''}${message}`, { cause: error });
}
/**
 * Answers that did not come from AWS: a host that does not resolve (a region AWS does not have, no network), or a
 * page the SDK cannot parse (a proxy, a wrong AWS_ENDPOINT_URL). The SDK's own words, a JSON SyntaxError, say none of it.
 */
function unreachableAws(error) {
    const e = error;
    const check = 'check the region and AWS_ENDPOINT_URL (and any proxy in between)';
    if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN')
        return `cannot reach AWS: the host ${e.hostname ?? ''} does not resolve - ${check}, and the network`;
    if (e?.name === 'SyntaxError' || /Deserialization error/.test(e?.message ?? '')) {
        const status = e.$response?.statusCode;
        return `the answer was not an AWS response${status ? ` (HTTP ${status})` : ''} - ${check}`;
    }
    return undefined;
}
