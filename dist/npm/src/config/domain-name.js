// A custom domain's name, checked the same way wherever it is given (serverless.yml, the Action's input, the CLI's
// flag): a host name API Gateway and ACM accept, with `{stage}` standing for the stage (each PR its own name).
import { quote } from "./quote.js";
export const STAGE_PLACEHOLDER = '{stage}';
export const DOMAIN_EXAMPLE = '"{stage}.ws.example.com"';
const LABEL_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/**
 * The stage as a DNS label: lower case, anything but letters, digits and "-" as "-" (stage names may hold "_" and
 * capitals, host names may not).
 */
export function stageLabel(stage) {
    return stage
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, '-')
        .replace(/^-+|-+$/g, '');
}
/** `pattern` with `{stage}` filled in, and a trailing dot dropped. */
export function domainFor(pattern, stage) {
    return pattern.trim().replaceAll(STAGE_PLACEHOLDER, stageLabel(stage)).replace(/\.$/, '');
}
/**
 * What is wrong with a domain pattern (before `{stage}` is filled in), with the fix; undefined when it is fine.
 * `shown`: how to show the value instead of quoting it (it came from the environment).
 */
export function domainPatternProblem(pattern, shown) {
    const got = shown ?? quote(pattern);
    const value = pattern.trim();
    const scheme = /^([a-z]+):\/\//i.exec(value);
    if (scheme)
        return `must be a host name, got ${got} - leave out "${scheme[0]}"${shown ? '' : `: "${value.slice(scheme[0].length).replace(/\/.*$/, '')}"`}`;
    if (/[/:]/.test(value))
        return `must be a host name only, got ${got} - no port or path (the domain serves the stage at its root)`;
    if (value.includes('*'))
        return `must be one host name, got ${got} - a wildcard is for the certificate (*.example.com), not the domain; use "{stage}" for a name per stage`;
    if (value !== value.toLowerCase() && !shown)
        return `must be lower case, got ${got} - did you mean "${value.toLowerCase()}"?`;
    // A stage that is all letters stands in for {stage}: only the name's shape is checked here.
    return domainNameProblem(domainFor(value, 'stage'), shown);
}
/** What is wrong with a host name (after `{stage}` is filled in); undefined when API Gateway and ACM accept it. */
export function domainNameProblem(name, shown) {
    const got = shown ?? quote(name);
    if (name.length > 253)
        return `is ${name.length} characters, over DNS's 253 - shorten it`;
    if (name !== name.toLowerCase() && !shown)
        return `must be lower case, got ${got}`;
    const labels = name.split('.');
    if (labels.length < 2)
        return `must have at least two labels (e.g. ws.example.com), got ${got}`;
    const bad = labels.find((l) => !LABEL_RE.test(l));
    if (bad !== undefined) {
        const which = shown ? 'a label' : `label ${quote(bad)}`;
        if (bad === '')
            return `has an empty label (two dots in a row, or a leading dot), got ${got}`;
        if (bad.length > 63)
            return `has ${which} of ${bad.length} characters, over DNS's 63 - shorten it`;
        return `has ${which} that is not a DNS label: use only a-z, 0-9 and "-", not first or last${/_/.test(bad) ? ' (no "_")' : ''}`;
    }
    return undefined;
}
