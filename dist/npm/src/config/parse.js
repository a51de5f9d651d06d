// serverless.yml's YAML, parsed with bounds, so that no file can crash or stall the load: nesting is checked on yaml's
// token tree (built without recursion) before the recursive composer runs; aliases are resolved here, once (an alias
// with no anchor, or inside its own anchor, is an error at its line), and what they repeat is counted without being
// expanded: past MAX_ALIAS_VALUES values or MAX_ALIAS_CHARS characters it is an alias bomb, reported at the alias.
// Duplicate keys are found here too, in linear time (yaml's own check is quadratic: a minute for a 1 MB mapping).
import { Composer, LineCounter, Parser, Scalar, isAlias, isMap, isScalar, isSeq } from 'yaml';
import { quote } from "./quote.js";
/** Lists and mappings inside each other: a serverless.yml needs under 10 (policy conditions are the deepest). */
export const MAX_DEPTH = 64;
/** What aliases may repeat in all: far more than anchors of shared settings need, far less than a bomb makes. */
export const MAX_ALIAS_VALUES = 10_000;
export const MAX_ALIAS_CHARS = 1_000_000;
const count = (n) => (n >= 1e12 ? 'over a trillion' : n.toLocaleString('en-US'));
/** An anchor's name as `*name` or `&name`, cut when long. */
const anchor = (sigil, name) => `${sigil}${name.length > 40 ? `${name.slice(0, 39)}…` : name}`;
/** `<<: *defaults`: a merge key (YAML 1.1, as Serverless reads it), when plain (a quoted "<<" is a key like any). */
export const isMergeKey = (key) => isScalar(key) && key.value === '<<' && key.type === Scalar.PLAIN;
export function parseYaml(src) {
    const lineCounter = new LineCounter();
    const targets = new Map();
    const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(src));
    const deep = tooDeep(tokens);
    if (deep !== undefined) {
        const message = `lists and mappings are nested more than ${MAX_DEPTH} levels deep here - a serverless.yml needs only a few levels; flatten it (is it the right file?)`;
        return { lineCounter, problems: [{ offset: deep, message, fatal: true }], targets };
    }
    const docs = Array.from(new Composer({ prettyErrors: false, uniqueKeys: false }).compose(tokens, true, src.length));
    const doc = docs[0];
    const problems = doc.errors.map((err) => {
        const message = err.message.length > 200 ? `${err.message.slice(0, 199)}…` : err.message;
        return { offset: err.pos[0], message: `YAML syntax error: ${message}`, fatal: true };
    });
    if (docs.length > 1) {
        const message = `a second YAML document starts here (after a "---" line): serverless.yml must be one document - remove the "---" line and merge the two, or remove the second`;
        problems.push({ offset: docs[1].range[0], message, fatal: true });
    }
    if (problems.length === 0)
        resolveAliases(doc.contents, targets, problems);
    return problems.some((p) => p.fatal) ? { lineCounter, problems, targets } : { lineCounter, problems, doc, targets };
}
/** The offset of a list or mapping nested deeper than MAX_DEPTH, walking the token tree without recursion. */
function tooDeep(tokens) {
    const stack = tokens.map((t) => [t, 0]);
    while (stack.length > 0) {
        const [t, depth] = stack.pop();
        if (t.type === 'document' && t.value)
            stack.push([t.value, depth]);
        if (t.type !== 'block-map' && t.type !== 'block-seq' && t.type !== 'flow-collection')
            continue;
        if (depth >= MAX_DEPTH)
            return t.offset;
        for (const item of t.items) {
            if (item.key)
                stack.push([item.key, depth + 1]);
            if (item.value)
                stack.push([item.value, depth + 1]);
        }
    }
    return undefined;
}
/**
 * Resolves every alias of the document to its node (the last anchor of its name before it) and counts what aliases
 * repeat, without expanding them: an anchor's size is counted once, where it is written. Reports duplicate keys.
 * Recursion follows the nesting, which tooDeep bounded.
 */
function resolveAliases(root, targets, problems) {
    const anchors = new Map();
    const sizes = new Map();
    /** nodes being walked: an alias to one of them is inside its own anchor */
    const open = new Set();
    const repeated = { values: 0, chars: 0 };
    const none = { values: 0, chars: 0 };
    const fatal = (offset, message) => problems.push({ offset, message, fatal: true });
    const alias = (a) => {
        const target = anchors.get(a.source);
        const at = a.range?.[0] ?? 0;
        const name = anchor('*', a.source);
        if (target === undefined) {
            fatal(at, `alias ${name} has no anchor: define ${anchor('&', a.source)} on a value before it, or write the value`);
            return none;
        }
        if (open.has(target)) {
            fatal(at, `alias ${name} is inside the value anchored ${anchor('&', a.source)}, so it would repeat itself forever - write the value out instead`);
            return none;
        }
        targets.set(a, target);
        const size = sizes.get(target);
        const within = repeated.values <= MAX_ALIAS_VALUES && repeated.chars <= MAX_ALIAS_CHARS;
        repeated.values += size.values;
        repeated.chars += size.chars;
        const what = within && repeated.values > MAX_ALIAS_VALUES
            ? `${count(size.values)} values (lists, mappings and scalars), bringing what aliases repeat to ${count(repeated.values)}, over the ${count(MAX_ALIAS_VALUES)} allowed`
            : within && repeated.chars > MAX_ALIAS_CHARS
                ? `${count(size.chars)} characters of text, bringing what aliases repeat to ${count(repeated.chars)} characters, over the ${count(MAX_ALIAS_CHARS)} allowed`
                : undefined;
        if (what !== undefined)
            fatal(at, `alias ${name} repeats ${what} (an alias bomb?) - write the values out, or use fewer aliases`);
        return size;
    };
    const walk = (node) => {
        if (isAlias(node))
            return alias(node);
        if (!isScalar(node) && !isMap(node) && !isSeq(node))
            return none;
        if (node.anchor)
            anchors.set(node.anchor, node);
        open.add(node);
        const size = { values: 1, chars: isScalar(node) ? String(node.source ?? node.value ?? '').length : 0 };
        const add = (s) => {
            size.values += s.values;
            size.chars += s.chars;
        };
        if (isMap(node))
            mapEntries(node, walk, add);
        else if (isSeq(node))
            for (const item of node.items)
                add(walk(item));
        open.delete(node);
        sizes.set(node, size);
        return size;
    };
    /** A mapping's keys and values walked, in order; a key seen before in it is a duplicate. */
    const mapEntries = (map, step, add) => {
        const keys = new Set();
        for (const pair of map.items) {
            add(step(pair.key));
            const key = isAlias(pair.key) ? targets.get(pair.key) : pair.key;
            if (isScalar(key) && key.value != null && !isMergeKey(key)) {
                const text = String(key.value);
                if (keys.has(text)) {
                    const message = `duplicate key ${quote(text)} - map keys must be unique; remove or rename one of them`;
                    problems.push({ offset: pair.key.range?.[0] ?? 0, message, fatal: false });
                }
                keys.add(text);
            }
            add(step(pair.value));
        }
    };
    walk(root);
}
