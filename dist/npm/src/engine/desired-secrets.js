// serverless.yml `secrets` in the desired state: the function's one variable of references (SOCKET_ACTION_SECRETS) and
// the role's statements naming exactly those parameters, secrets and customer managed keys. Pure: what observe found
// (src/aws/secrets-lookup.ts: metadata, never values) in, the variable and statements out; a reference that names
// nothing is a PlanError before any write, with serverless.yml's line and how to create it.
import path from 'node:path';
import { arnScope, parameterName, refText } from "../config/secret-ref.js";
import { SECRETS_VARIABLE } from "../../runtime/secrets-variable.js";
import { PlanError } from "./plan-error.js";
const key = (service, id) => `${service} ${id}`;
/** The parameter's ARN as IAM names it: `arn:aws:ssm:us-east-1:123456789012:parameter/my-socket/prod/stripe`. */
export function parameterArn(scope, name) {
    return `arn:${scope.partition.id}:ssm:${scope.region}:${scope.account}:parameter/${name.replace(/^\//, '')}`;
}
function createHint(ref, region) {
    if (ref.service === 'ssm') {
        const name = parameterName(ref.id);
        return `create it: aws ssm put-parameter --region ${region} --type SecureString --name ${JSON.stringify(name)} --value "..." (or fix the name)`;
    }
    return `create it: aws secretsmanager create-secret --region ${region} --name ${JSON.stringify(ref.id.startsWith('arn:') ? 'NAME' : ref.id)} --secret-string "..." (or fix the name)`;
}
/**
 * The grant for `refs`, from what observe found for them. Throws a PlanError naming every reference that cannot be
 * used (missing, deleted, in another region or account, not observed at all).
 */
export function secretsGrant(refs, observed, scope) {
    if (!refs?.length)
        return undefined;
    const found = new Map((observed ?? []).map((o) => [key(o.service, o.id), o]));
    const file = path.basename(scope.configFile);
    const problems = [];
    const variable = {};
    const parameters = new Set();
    const secrets = new Set();
    const keys = { ssm: new Set(), secretsmanager: new Set() };
    const notes = [];
    for (const ref of refs) {
        const at = `${file}:${ref.line}: secrets "${ref.name}" (${refText(ref)})`;
        const where = arnScope(ref.id);
        if (where && where.region !== scope.region) {
            problems.push(`${at} is in region ${where.region}, but the stage deploys to ${scope.region}: the function reads it in its own region - copy it to ${scope.region} and name that one`);
            continue;
        }
        if (where && where.account !== scope.account) {
            problems.push(`${at} is in account ${where.account}, not the stage's (${scope.account}): parameters and secrets of other accounts are not supported - copy it into ${scope.account}`);
            continue;
        }
        const o = found.get(key(ref.service, ref.id));
        if (!o) {
            problems.push(`${at} was not looked up (an internal error: please report it)`);
            continue;
        }
        const what = ref.service === 'ssm' ? 'SSM parameter' : 'Secrets Manager secret';
        if (!o.found || o.deleted) {
            const state = o.deleted ? 'is scheduled for deletion' : `does not exist in ${scope.region}`;
            const fix = o.deleted
                ? `restore it: aws secretsmanager restore-secret --region ${scope.region} --secret-id ${JSON.stringify(ref.id)}`
                : createHint(ref, scope.region);
            problems.push(`${at}: the ${what} ${state} - ${fix}`);
            continue;
        }
        if (ref.service === 'ssm') {
            const name = parameterName(ref.id);
            variable[ref.name] = `ssm:${name}`;
            parameters.add(parameterArn(scope, name));
            if (o.type && o.type !== 'SecureString')
                notes.push(`secrets "${ref.name}": SSM parameter ${name} is a ${o.type}, not a SecureString: it is not encrypted at rest - recreate it with --type SecureString`);
        }
        else {
            if (!o.arn) {
                problems.push(`${at}: Secrets Manager gave no ARN for it (an internal error: please report it)`);
                continue;
            }
            variable[ref.name] = `secretsmanager:${o.arn}`;
            secrets.add(o.arn);
        }
        if (o.customerKeyArn)
            keys[ref.service].add(o.customerKeyArn);
    }
    if (problems.length)
        throw new PlanError(`${problems.length === 1 ? 'a secret serverless.yml names cannot be read' : `${problems.length} secrets serverless.yml names cannot be read`} (nothing was changed):\n  ${problems.join('\n  ')}`);
    const sorted = (s) => [...s].sort();
    const statements = [];
    if (parameters.size)
        statements.push({
            Sid: 'OwnSecretParameters',
            Effect: 'Allow',
            Action: 'ssm:GetParameters',
            Resource: sorted(parameters),
        });
    if (secrets.size) {
        statements.push({
            Sid: 'OwnSecretValues',
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: sorted(secrets),
        });
        // BatchGetSecretValue has no resource type (its Resource is "*") and reads nothing by itself: each secret it
        // returns needs GetSecretValue on that secret, which the statement above grants for these secrets only.
        statements.push({
            Sid: 'OwnSecretValuesBatch',
            Effect: 'Allow',
            Action: 'secretsmanager:BatchGetSecretValue',
            Resource: '*',
        });
    }
    // Customer managed keys only (AWS managed keys, aws/ssm and aws/secretsmanager, allow their service's callers), and
    // only through the service that encrypted with them.
    for (const [service, sid] of [
        ['ssm', 'OwnSecretParameterKeys'],
        ['secretsmanager', 'OwnSecretValueKeys'],
    ]) {
        if (!keys[service].size)
            continue;
        statements.push({
            Sid: sid,
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: sorted(keys[service]),
            Condition: { StringEquals: { 'kms:ViaService': `${service}.${scope.region}.${scope.partition.dnsSuffix}` } },
        });
    }
    return { env: { [SECRETS_VARIABLE]: JSON.stringify(variable) }, statements, notes };
}
