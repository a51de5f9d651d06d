// The permissions boundary of the function role: a managed policy's ARN, checked the same way wherever it is given
// (serverless.yml, the Action's input, the CLI's flag).
import { quote } from "./quote.js";
/** arn:PARTITION:iam::ACCOUNT:policy/[PATH/]NAME, ACCOUNT being 12 digits or `aws` (an AWS managed policy). */
const POLICY_ARN_RE = /^arn:aws(-[a-z]+)*:iam::(\d{12}|aws):policy\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,128}$/;
export const BOUNDARY_EXAMPLE = 'arn:aws:iam::123456789012:policy/socket-action-boundary';
/**
 * What is wrong with `value` as a permissions boundary, with the likely fix; undefined when it is a policy ARN.
 * `shown`: how to show the value instead of quoting it (it came from the environment), no fix guessed from it.
 */
export function permissionsBoundaryProblem(value, shown) {
    if (POLICY_ARN_RE.test(value))
        return undefined;
    const got = shown ?? quote(value);
    const parts = value.split(':');
    const fix = shown === undefined ? guess(value, parts) : undefined;
    const hint = fix ? `did you mean "${fix}"?` : `give the ARN of a managed policy, e.g. "${BOUNDARY_EXAMPLE}"`;
    if (!value.startsWith('arn:'))
        return `must be the ARN of an IAM managed policy, got ${got} - ${hint}`;
    if (parts[2] === 'iam' && /^role\//.test(parts.slice(5).join(':'))) {
        return `must be the ARN of an IAM managed policy, got ${got}, which is a role - a boundary is a policy, e.g. "${BOUNDARY_EXAMPLE}"`;
    }
    return `must be the ARN of an IAM managed policy (arn:aws:iam::ACCOUNT:policy/NAME), got ${got} - ${hint}`;
}
/** The policy ARN someone probably meant: a region dropped, `policy/` spelled right, a bare name left as is. */
function guess(value, parts) {
    if (parts.length < 6 || parts[0] !== 'arn' || parts[2] !== 'iam')
        return undefined;
    const [, partition, , , account] = parts;
    const resource = parts
        .slice(5)
        .join(':')
        .replace(/^[a-z]+\//i, (type) => (/^pol[a-z]*\/$/i.test(type) || /^p[a-z]*cy\/$/i.test(type) ? 'policy/' : type));
    const fixed = `arn:${partition}:iam::${account}:${resource}`;
    return fixed !== value && POLICY_ARN_RE.test(fixed) ? fixed : undefined;
}
