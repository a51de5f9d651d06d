// Values that must never be printed: what serverless.yml read through ${env.X} into a field that may hold a secret.
// The CLI and the Action pass everything they write (stdout, stderr) and everything they post (PR comment, job
// summary, outputs) through redact(), as the GitHub runner does with its masks; the Action also registers each value
// with the runner (core.setSecret), whose log then masks it too.
export const MASK = '***';
/** Shorter values are not masked: they would blank out ordinary words and numbers, and guard nothing. */
const MIN_LENGTH = 4;
const masked = new Set();
/** The masked values, longest first (a secret that contains another is masked whole), kept sorted as they come. */
let longestFirst = [];
const listeners = [];
/** Marks a value as secret from now on, everywhere: every line of a multi-line value too, as the runner does. */
export function maskValue(value) {
    for (const part of [value, ...value.split(/\r?\n/)].map((v) => v.trim())) {
        if (part.length < MIN_LENGTH || masked.has(part))
            continue;
        masked.add(part);
        longestFirst = [...masked].sort((a, b) => b.length - a.length);
        for (const listener of listeners)
            listener(part);
    }
}
/** Calls `listener` with every value masked, those masked before included (the Action's core.setSecret). */
export function onMasked(listener) {
    listeners.push(listener);
    for (const value of masked)
        listener(value);
}
export function redact(text) {
    let out = text;
    for (const value of longestFirst)
        out = out.replaceAll(value, MASK);
    return out;
}
/** The runner's command that registers a mask carries the value itself: it is for the runner, which hides it. */
const ADD_MASK_RE = /^::add-mask::/;
/** Redacts every write to these streams (the process's stdout and stderr by default). */
export function maskStreams(streams = [process.stdout, process.stderr]) {
    for (const stream of streams) {
        const write = stream.write.bind(stream);
        stream.write = ((chunk, ...rest) => {
            const binary = typeof rest[0] === 'string' && !/^utf-?8$/i.test(rest[0]);
            if (masked.size === 0 || binary || (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)))
                return write(chunk, ...rest);
            const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
            const safe = text
                .split(/(?<=\n)/)
                .map((line) => (ADD_MASK_RE.test(line) ? line : redact(line)))
                .join('');
            return write(safe, ...rest);
        });
    }
}
