// How messages show what a user wrote: short (a value is cut past 80 characters, its length said), and never a value
// that came from the environment (its ${env.X} reference is shown instead: the value may be a secret).
/** The most characters of a value a message quotes: a long ARN, not a whole file. */
export const QUOTE_MAX = 80;
const count = (n) => n.toLocaleString('en-US');
/** Text shown as it is (a reference such as ${self:custom.x}), cut when long. */
export function cut(s, max = QUOTE_MAX) {
    return s.length <= max ? s : `${s.slice(0, max - 1)}… (${count(s.length)} characters)`;
}
/** `"text"` as JSON quotes it; a long one cut, with its length: `"root:x:0:0:…" (1,234 characters)`. */
export function quote(s, max = QUOTE_MAX) {
    if (s.length <= max)
        return JSON.stringify(s);
    return `${JSON.stringify(s.slice(0, max - 1)).slice(0, -1)}…" (${count(s.length)} characters)`;
}
/** A value for a message: text quoted (cut when long), lists and mappings named, not listed. */
export function describe(v) {
    if (v == null)
        return 'an empty value';
    if (Array.isArray(v))
        return 'a list';
    if (typeof v === 'object')
        return 'a mapping';
    return typeof v === 'string' ? quote(v) : String(v);
}
/**
 * A value that may be anything, even a secret (the whole file when it is not YAML config: a .env, /etc/passwd):
 * described, never quoted.
 */
export function describeUnquoted(v) {
    if (typeof v !== 'string')
        return typeof v === 'number' || typeof v === 'boolean' ? `a ${typeof v}` : describe(v);
    const lines = v.split('\n').length;
    return lines > 1 ? `a text of ${count(lines)} lines` : `a line of text (${count(v.length)} characters)`;
}
/**
 * The value as written in serverless.yml when it came from ${env.X}: the reference, never its value.
 * `${env.MEMORY} (from the environment)`; `"arn:aws:s3:::${env.BUCKET}/*" (with values from the environment)`.
 */
export function fromEnvironment(written) {
    const ref = written.trim();
    if (/^\$\{env\.[^}]*\}$/.test(ref))
        return `${cut(ref)} (from the environment)`;
    return `${quote(written)} (with values from the environment)`;
}
