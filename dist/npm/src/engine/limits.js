import { resolveDocument } from "./refs.js";
import { SECRETS_VARIABLE } from "../../runtime/secrets-variable.js";
/** IAM: all inline policies of a role together, whitespace not counted. */
export const ROLE_POLICY_MAX_CHARS = 10_240;
/** Lambda: a deployment package uploaded directly (ZipFile), and unzipped. */
export const ZIP_MAX_BYTES = 50 * 1024 * 1024;
export const UNZIPPED_MAX_BYTES = 250 * 1024 * 1024;
/** Lambda: all environment variables together, as JSON. */
export const ENV_MAX_BYTES = 4096;
/** API Gateway API ids are 10 characters; the policy names the API before it exists. */
const API_ID_PLACEHOLDER = 'abcdefghij';
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
/** The size IAM counts: the document as JSON without insignificant whitespace. */
export function rolePolicyChars(desired) {
    return JSON.stringify(resolveDocument(desired.role.policy, { apiId: API_ID_PLACEHOLDER })).length;
}
export function checkLimits(desired, size, socket) {
    const problems = [];
    // serverless.yml's env is checked as it is loaded; what socket-action adds (SOCKET_ACTION_TABLE) counts too.
    const envBytes = Buffer.byteLength(JSON.stringify(desired.fn.env), 'utf8');
    const added = [desired.table && 'SOCKET_ACTION_TABLE', desired.fn.env[SECRETS_VARIABLE] && SECRETS_VARIABLE];
    if (envBytes > ENV_MAX_BYTES && added.some(Boolean)) {
        problems.push({
            file: socket.configFile,
            line: 1,
            column: 1,
            message: `the function's environment would be ${envBytes} bytes (as JSON) with socket-action's ${added.filter(Boolean).join(' and ')}, over Lambda's 4 KB (${ENV_MAX_BYTES} bytes) - move large env values elsewhere (e.g. SSM Parameter Store)`,
        });
    }
    const chars = rolePolicyChars(desired);
    if (chars > ROLE_POLICY_MAX_CHARS) {
        const own = chars - JSON.stringify(socket.policy).length;
        const at = socket.policyAt ?? { line: 1, column: 1 };
        problems.push({
            file: socket.configFile,
            ...at,
            message: `the function role's policy would be ${chars.toLocaleString('en')} characters, over IAM's ${ROLE_POLICY_MAX_CHARS.toLocaleString('en')} for a role ` +
                `(about ${own.toLocaleString('en')} are socket-action's own statements) - shorten "policy": merge statements, and use wildcards in Action and Resource`,
        });
    }
    const atHandler = { file: socket.handlerFile, line: 1, column: 1 };
    if (size.zipBytes > ZIP_MAX_BYTES) {
        problems.push({
            ...atHandler,
            message: `the deployment package is ${mb(size.zipBytes)} zipped, over Lambda's 50 MB for a direct upload - bundle fewer or smaller dependencies (keep large assets in S3)`,
        });
    }
    if (size.unzippedBytes > UNZIPPED_MAX_BYTES) {
        problems.push({
            ...atHandler,
            message: `the bundled handler is ${mb(size.unzippedBytes)}, over Lambda's 250 MB unzipped - bundle fewer or smaller dependencies (keep large assets in S3)`,
        });
    }
    return problems;
}
