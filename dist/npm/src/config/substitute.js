// ${env.X} in serverless.yml: each reference replaced by the variable's value, and each value remembered (messages
// show the reference instead) and, where it may be a secret, masked in everything the process prints (src/secrets.ts).
import { maskValue } from "../secrets.js";
import { cut, quote } from "./quote.js";
/** A path in the file's data as one string (a map key). */
export const pathKey = (p) => p.map((s) => `${s}\0`).join('');
const ENV_REF_RE = /\$\{env\.([^}]*)\}/g;
const OTHER_VAR_RE = /\$\{[^}]*\}/g;
/**
 * IAM policy variables such as ${aws:username} or ${*}, kept as-is in policy strings. Not ${s3:...},
 * ${aws:region} or ${aws:accountId}: those are Serverless Framework variables, which are not supported.
 */
const IAM_VAR_RE = /^\$\{(?:(?:aws|saml|sts|ec2|iam|cognito-identity\.amazonaws\.com|www\.amazon\.com|graph\.facebook\.com|accounts\.google\.com):[^}]+|[*?$])\}$/i;
const SERVERLESS_AWS_VAR_RE = /^\$\{aws:(region|accountId)\}$/i;
/** `policyVars`: leave IAM policy variables (${aws:username}) alone instead of reporting them. */
export function substitute(ctx, raw, pos, p, policyVars) {
    const unclosed = /\$\{[^}]*$/.exec(raw)?.[0];
    if (unclosed !== undefined) {
        ctx.at(pos, isEnvValue(p)
            ? `env ${quote(String(p[3]))} has a "\${" with no closing "}" - close the reference (\${env.NAME}) or remove the "\${"`
            : `reference ${quote(unclosed)} has no closing "}" - write \${env.NAME}, with the "}"`, p);
        return undefined;
    }
    let ok = true;
    const value = raw.replace(ENV_REF_RE, (whole, name) => {
        ctx.written.set(pathKey(p), raw);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
            ok = false;
            ctx.at(pos, `invalid reference ${cut(whole)}: write \${env.NAME} where NAME is an environment variable name`, p);
            return '';
        }
        const v = ctx.env[name];
        if (v)
            ctx.secrets.set(v, whole);
        if (v && MASKED_FIELDS.has(fieldOf(p)))
            maskValue(v);
        if (v !== undefined)
            return v;
        ok = false;
        ctx.at(pos, `environment variable ${quote(name)} is not set (used by ${cut(whole)}); set it or remove the reference`, p);
        return '';
    });
    if (!ok)
        return undefined;
    // only ${env.X} is supported; anything else left over is a mistake (e.g. ${self:...}, ${opt:stage})
    const rest = raw
        .replace(ENV_REF_RE, '')
        .match(OTHER_VAR_RE)
        ?.find((v) => !(policyVars && IAM_VAR_RE.test(v) && !SERVERLESS_AWS_VAR_RE.test(v)));
    if (rest === undefined)
        return value;
    const also = policyVars ? ' (and, in policy, IAM policy variables such as ${aws:username})' : '';
    ctx.at(pos, `unsupported variable ${cut(rest)}: only \${env.NAME} references are supported${also}`, p);
    return undefined;
}
/** A value of the `env` input: kept as written (VER: 1.10 is "1.10", not 1.1). */
export const isEnvValue = (p) => p.length === 4 && p[1] === 'inputs' && p[2] === 'env';
/**
 * Where a value read from the environment is masked in everything printed: the function's environment (the place for
 * API keys and tokens), its free-text description, and `smoke` (smoke.headers and smoke.query carry the credentials a
 * $connect handler checks). Not elsewhere: values in region, names, numbers and policy ARNs
 * (a region, an account id) are printed by design, in the wss:// URL, ARNs and the plan, and masking them would blank
 * out the URL and make the runner drop outputs that contain it. Error messages show every reference, never its value.
 */
const MASKED_FIELDS = new Set(['env', 'description', 'smoke']);
const fieldOf = (p) => String(p.length === 1 ? p[0] : p[1] === 'inputs' ? p[2] : p[1]);
