// serverless.yml `secrets`: a reference per variable to an SSM parameter or a Secrets Manager secret, checked the same
// way wherever it is read. Only the reference ever reaches the function's configuration; its value is read by the
// function itself at cold start (runtime/secrets.ts), never by socket-action.
import { quote } from "./quote.js";
import { didYouMean } from "./suggest.js";
/** More than this many is refused: see MAX_SECRETS_WHY. */
export const MAX_SECRETS = 50;
/**
 * Why 50: every reference is in the function's environment (SOCKET_ACTION_SECRETS, about 60-100 bytes each, inside
 * Lambda's 4 KB for all variables) and every parameter and secret is named in the role's policy (10,240 characters for
 * all of a role's inline policies); 50 fit both with room for env and policy, and cost 5 SSM and 3 Secrets Manager
 * calls, in parallel, at cold start.
 */
export const MAX_SECRETS_WHY = "each is named in the function's environment (Lambda's 4 KB) and in its role's policy (IAM's 10,240 characters)";
export const STAGE_PLACEHOLDER = '{stage}';
export const SCHEMES = ['ssm', 'secretsmanager'];
/** Prefixes a scheme may be taken for. */
const SCHEME_ALIASES = {
    ssn: 'ssm',
    sms: 'ssm',
    parameter: 'ssm',
    parameterstore: 'ssm',
    'parameter-store': 'ssm',
    param: 'ssm',
    secretmanager: 'secretsmanager',
    'secrets-manager': 'secretsmanager',
    'secret-manager': 'secretsmanager',
    secretsmgr: 'secretsmanager',
    secret: 'secretsmanager',
    secrets: 'secretsmanager',
    sm: 'secretsmanager',
    asm: 'secretsmanager',
};
export const SECRETS_EXAMPLE = 'STRIPE_KEY: ssm:/my-socket/{stage}/stripe';
/** SSM parameter names: letters, digits and _.-/ (hierarchies start with "/"), at most 2048 characters. */
const PARAMETER_NAME_RE = /^[A-Za-z0-9_.\-/]+$/;
const PARAMETER_ARN_RE = /^arn:aws(-[a-z]+)*:ssm:([a-z0-9-]+):(\d{12}):parameter\/(.+)$/;
/** Secret names: letters, digits and /_+=.@- (at most 512). */
const SECRET_NAME_RE = /^[A-Za-z0-9/_+=.@-]+$/;
const SECRET_ARN_RE = /^arn:aws(-[a-z]+)*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:([A-Za-z0-9/_+=.@-]+)$/;
/** `pattern` with `{stage}` filled in. */
export function secretIdFor(pattern, stage) {
    return pattern.replaceAll(STAGE_PLACEHOLDER, stage);
}
/**
 * A reference split into service and id, or what is wrong with it and how to fix it. `shown`: how to show the value
 * instead of quoting it (it came from the environment).
 */
export function parseSecretRef(value, stage, shown) {
    const got = shown ?? quote(value);
    const text = value.trim();
    const colon = text.indexOf(':');
    const scheme = colon < 0 ? '' : text.slice(0, colon);
    if (!SCHEMES.includes(scheme)) {
        const alias = SCHEME_ALIASES[scheme.toLowerCase()];
        const hint = alias !== undefined
            ? `did you mean "${alias}:"?`
            : (didYouMean(scheme, SCHEMES)?.replace(/"([a-z]+)"/, '"$1:"') ??
                `start it with ssm: (a Parameter Store parameter) or secretsmanager: (a Secrets Manager secret), e.g. ${SECRETS_EXAMPLE}`);
        const arn = /^arn:[^:]*:(ssm|secretsmanager):/.exec(text);
        if (arn)
            return {
                problem: `must start with ssm: or secretsmanager:, got ${got} - did you mean "${arn[1]}:${shown ? '<the ARN>' : text}"?`,
            };
        if (colon < 0 || /^arn:/i.test(text))
            return {
                problem: `must start with ssm: or secretsmanager:, got ${got} - e.g. ${SECRETS_EXAMPLE}, or secretsmanager:my-socket/db`,
            };
        return { problem: `has an unknown scheme ${shown ? '' : `${quote(`${scheme}:`)} `}in ${got} - ${hint}` };
    }
    const service = scheme;
    const pattern = text.slice(colon + 1).trim();
    if (pattern === '')
        return {
            problem: service === 'ssm'
                ? `has no parameter name after "ssm:" - give the parameter's name, e.g. ssm:/my-socket/{stage}/stripe`
                : `has no secret name after "secretsmanager:" - give the secret's name or ARN, e.g. secretsmanager:my-socket/db`,
        };
    const id = secretIdFor(pattern, stage);
    const problem = service === 'ssm' ? parameterProblem(id, got) : secretProblem(id, got);
    return problem ? { problem } : { service, pattern, id };
}
function parameterProblem(id, got) {
    if (id.startsWith('arn:')) {
        const m = PARAMETER_ARN_RE.exec(id);
        if (!m)
            return `is not a parameter ARN (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME), got ${got}`;
        return parameterProblem(m[4].includes('/') ? `/${m[4]}` : m[4], got);
    }
    if (id.length > 2048)
        return `has a parameter name of ${id.length} characters, over SSM's 2048 - shorten it`;
    if (!PARAMETER_NAME_RE.test(id))
        return `has a parameter name with characters SSM does not allow in ${got} - use letters, digits and _ . - / only`;
    if (id.includes('//') || id.endsWith('/'))
        return `has an empty level in its parameter name (a "//" or a trailing "/") in ${got}`;
    if (id.includes('/') && !id.startsWith('/'))
        return `has a parameter name with "/" that does not start with "/" in ${got} - a name in a hierarchy starts with "/" (e.g. /my-socket/prod/stripe)`;
    return undefined;
}
function secretProblem(id, got) {
    if (id.startsWith('arn:'))
        return SECRET_ARN_RE.test(id)
            ? undefined
            : `is not a secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-xxxxxx), got ${got}`;
    if (id.length > 512)
        return `has a secret name of ${id.length} characters, over Secrets Manager's 512 - shorten it`;
    if (!SECRET_NAME_RE.test(id))
        return `has a secret name with characters Secrets Manager does not allow in ${got} - use letters, digits and / _ + = . @ - only`;
    return undefined;
}
/** The SSM parameter name a reference's id stands for (an ARN's name part, with its leading "/" when in a path). */
export function parameterName(id) {
    const m = PARAMETER_ARN_RE.exec(id);
    if (!m)
        return id;
    return m[4].includes('/') ? `/${m[4]}` : m[4];
}
/** Region and account an ARN id names; undefined for a plain name. */
export function arnScope(id) {
    const m = PARAMETER_ARN_RE.exec(id) ?? SECRET_ARN_RE.exec(id);
    return m ? { region: m[2], account: m[3] } : undefined;
}
/** How a reference is shown: `ssm:/my-socket/prod/stripe`. */
export const refText = (r) => `${r.service}:${r.id}`;
