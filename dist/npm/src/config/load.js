// serverless.yml: read (read.ts: a regular file, at most 1 MB, UTF-8), parsed with bounds (parse.ts: nesting, aliases),
// turned into plain data (${env.X} substituted, `<<` merge keys merged, env values as written), validated by ajv
// against schema/serverless.schema.json (the schema editors use too); each schema error becomes `file:line:col: message`
// (messages.ts says what is wrong and how to fix it; quote.ts how a value is shown: short, and never one from the
// environment). Beside the schema: substitution, the 4 KB env total, the statement rules' wording, smoke.headers'
// case-insensitive names (smoke-headers.ts), and the filesystem (handler.ts: the code folder and its socket.js).
import path from 'node:path';
import { Ajv } from 'ajv';
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import schema from '../../schema/serverless.schema.json' with { type: 'json' };
import { appFromFolder, findHandler, hasHandler } from "./handler.js";
import { ConfigError } from "./diagnostics.js";
import { KEY, NUMBER_RE, SNIPPET, SOCKET_COMPONENT, VALUE, isComponent, isObj, topLevelMessage } from "./messages.js";
import { isMergeKey, parseYaml } from "./parse.js";
import { isCoreTag, tagMessage } from "./tags.js";
import { cut, describe, describeUnquoted, fromEnvironment, quote } from "./quote.js";
import { ReadProblem, readConfigFile } from "./read.js";
import { headerProblems } from "./smoke-headers.js";
import { domainFor, domainNameProblem, domainPatternProblem, STAGE_PLACEHOLDER } from "./domain-name.js";
import { stageNameProblem } from "./stage-name.js";
import { MAX_SECRETS, MAX_SECRETS_WHY, parseSecretRef } from "./secret-ref.js";
import { SECRETS_VARIABLE } from "../../runtime/secrets-variable.js";
import { isEnvValue, pathKey, substitute } from "./substitute.js";
import { closest, didYouMean } from "./suggest.js";
const D = schema.definitions;
const INPUTS = D.inputs.properties;
const TOP_LEVEL_KEYS = Object.keys(schema.properties);
const INPUT_KEYS = Object.keys(INPUTS);
const STATEMENT_KEYS = Object.keys(D.statement.properties);
const validate = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(schema);
/** Inputs whose ${env.X} text is read as a number. */
const NUMERIC = new Set([
    'memory',
    'timeout',
    'logRetentionDays',
    'keepVersions',
    'throttle/burstLimit',
    'throttle/rateLimit',
]);
const ENV_MAX_BYTES = 4096;
/** A substituted value this short is not looked for in messages (it would match too much to be a secret worth it). */
const MIN_REDACTED = 4;
/** The most problems reported at once. */
const MAX_DIAGNOSTICS = 50;
const DEFAULT_STAGE = schema.properties.stage.default;
class Ctx {
    file;
    lineCounter;
    targets;
    env;
    diagnostics = [];
    /** key and value position of every path read */
    pos = new Map();
    /** paths with a problem reported: nothing under them is reported again */
    reported = new Set();
    /** paths with a problem and every path above them: their component is not deployed */
    broken = new Set();
    /** the text as written of every value with a ${env.X}: messages show it instead of the value */
    written = new Map();
    /** the text as written of every number and boolean: messages show 1.10, not 1.1 */
    literals = new Map();
    /** every non-empty value read through ${env.X}, and the reference it came from */
    secrets = new Map();
    constructor(file, lineCounter, targets, env) {
        this.file = file;
        this.lineCounter = lineCounter;
        this.targets = targets;
        this.env = env;
    }
    at(offset, message, p, final = true) {
        const { line, col } = this.lineCounter.linePos(offset);
        this.diagnostics.push({ file: this.file, line, column: col, message });
        if (p)
            for (let i = 0; i <= p.length; i++)
                this.broken.add(pathKey(p.slice(0, i)));
        if (p && final)
            this.reported.add(pathKey(p));
    }
    /** a problem at or above `p` was reported */
    done(p) {
        for (let i = 0; i <= p.length; i++)
            if (this.reported.has(pathKey(p.slice(0, i))))
                return true;
        return false;
    }
    /** no problem at or under `p` */
    ok(p) {
        return !this.broken.has(pathKey(p));
    }
    keyPos(p) {
        return this.pos.get(pathKey(p))?.key ?? 0;
    }
    valuePos(p) {
        return this.pos.get(pathKey(p))?.value ?? 0;
    }
}
/** The node an alias stands for (parse.ts resolved them all), or the node itself. */
function deref(ctx, node) {
    return ((isAlias(node) ? ctx.targets.get(node) : node) ?? null);
}
function startOf(node) {
    return node?.range?.[0];
}
/**
 * A mapping's pairs, its `<<` merge keys (YAML 1.1, as Serverless reads them) replaced by the pairs they merge: the
 * mapping's own keys first, so they win, then each merged mapping's in order (the first one wins).
 */
function pairsOf(ctx, map, p) {
    const own = [];
    const merged = [];
    for (const pair of map.items) {
        if (!isMergeKey(pair.key)) {
            own.push(pair);
            continue;
        }
        const value = deref(ctx, pair.value);
        for (const source of isSeq(value) ? value.items : [pair.value]) {
            const m = deref(ctx, source);
            if (isMap(m))
                merged.push(...pairsOf(ctx, m, p));
            else {
                const got = isSeq(m) ? 'a list' : m == null || (isScalar(m) && m.value == null) ? 'an empty value' : 'a value';
                ctx.at(startOf(source) ?? startOf(pair.key) ?? 0, `merge key "<<" merges mappings: give one (<<: *defaults) or a list of them (<<: [*a, *b]), got ${got}`, p, false);
            }
        }
    }
    return [...own, ...merged];
}
/**
 * The YAML as plain data for the schema, ${env.X} substituted, merge keys merged, every path's position recorded.
 * Recursion is bounded: parse.ts limits nesting and refuses aliases inside their own anchor.
 */
function toData(ctx, node, p, pos, keyPos) {
    const n = deref(ctx, node);
    ctx.pos.set(pathKey(p), { key: keyPos, value: pos });
    if (n?.tag !== undefined && !isCoreTag(n.tag)) {
        ctx.at(pos, tagMessage(n.tag), p);
        return null;
    }
    if (isMap(n)) {
        const out = {};
        for (const item of pairsOf(ctx, n, p)) {
            const keyNode = deref(ctx, item.key);
            const kPos = startOf(item.key) ?? startOf(keyNode) ?? pos;
            if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
                ctx.at(kPos, 'keys must be plain names (not lists, mappings or empty keys)', p, false);
                continue;
            }
            const key = String(keyNode.value);
            if (Object.hasOwn(out, key))
                continue; // a duplicate (reported by parse.ts) or a merged key the mapping has
            const v = deref(ctx, item.value);
            const empty = v == null || (isScalar(v) && v.value == null && (v.source === '' || v.source == null));
            const value = toData(ctx, item.value, [...p, key], empty ? kPos : (startOf(item.value) ?? kPos), kPos);
            // defineProperty: a "__proto__" key stays a plain key
            Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
        }
        return out;
    }
    if (isSeq(n))
        return n.items.map((item, i) => toData(ctx, item, [...p, i], startOf(item) ?? pos, startOf(item) ?? pos));
    const v = isScalar(n) ? n.value : null;
    if (v == null)
        return null;
    if (typeof v !== 'string') {
        const source = n.source ?? String(v);
        if (isEnvValue(p))
            return source;
        ctx.literals.set(pathKey(p), source);
    }
    if (typeof v === 'bigint')
        return Number(v);
    if (typeof v !== 'string')
        return typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
    const s = substitute(ctx, v, pos, p, p[1] === 'inputs' && p[2] === 'policy');
    if (s === undefined)
        return null;
    const numeric = ctx.written.has(pathKey(p)) && p[1] === 'inputs' && NUMERIC.has(p.slice(2).join('/'));
    return numeric && NUMBER_RE.test(s.trim()) ? Number(s.trim()) : s;
}
/** Inputs that map names the user chooses to values: their values share one field (`env/*`). */
const NAME_MAPS = new Set(['env', 'secrets', 'smoke/headers', 'smoke/query']);
/** The field of a path (a key of VALUE and KEY) and how messages name it. */
function fieldOf(data, p) {
    if (p.length === 1)
        return { field: TOP_LEVEL_KEYS.includes(p[0]) ? `@${p[0]}` : '@*', label: `top-level "${p[0]}"` };
    if (p.length === 2 || p[1] !== 'inputs')
        return { field: `@${p[1]}`, label: '' };
    let v = data[p[0]].inputs;
    const field = [];
    let label = '';
    for (const s of p.slice(2)) {
        const list = Array.isArray(v);
        field.push(list ? '#' : NAME_MAPS.has(field.join('/')) ? '*' : s);
        label += list ? `[${s}]` : label ? `.${s}` : s;
        v = v?.[s];
    }
    return { field: field.join('/'), label: `input "${label}"` };
}
/** Every schema error of `data`, as a message at its line, one per place. */
function check(ctx, data) {
    if (validate(data))
        return;
    const statements = new Map();
    const keysDone = new Set();
    for (const e of validate.errors) {
        const p = e.instancePath
            .split('/')
            .slice(1)
            .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
        if (p[0] === undefined)
            continue;
        if (!TOP_LEVEL_KEYS.includes(p[0]) && !isComponent(data[p[0]])) {
            if (!ctx.done([p[0]]))
                ctx.at(ctx.keyPos([p[0]]), topLevelMessage(p[0], data[p[0]]), [p[0]]);
            continue;
        }
        const key = (e.params.additionalProperty ?? e.params.propertyName ?? e.propertyName);
        const where = key === undefined ? p : [...p, key];
        // a bad key is reported even when its value's ${env.X} was: its fix comes first
        if (key === undefined ? ctx.done(p) : ctx.done(p) || keysDone.has(pathKey(where)))
            continue;
        if (key !== undefined)
            keysDone.add(pathKey(where));
        const { field, label } = fieldOf(data, p);
        const v = p.reduce((v, s) => v[s], data);
        const written = ctx.written.get(pathKey(p));
        const literal = ctx.literals.get(pathKey(p));
        const shown = written !== undefined ? fromEnvironment(written) : literal !== undefined ? cut(literal) : describe(v);
        const at = { v, label, sub: written !== undefined, shown, p };
        if (key !== undefined)
            ctx.at(ctx.keyPos(where), (KEY[field] ?? (() => `${label} ${e.message}`))(key, at), where);
        else if (field === 'policy/#' && isObj(at.v))
            statements.set(pathKey(p), checkStatement.bind(null, ctx, at.v, p, label));
        else
            ctx.at(ctx.valuePos(p), (VALUE[field] ?? (() => `${label} ${e.message}`))(at), p);
    }
    for (const checkOne of statements.values())
        checkOne();
}
/** What `required` and the Action/NotAction, Resource/NotResource rules of a statement mean. */
function checkStatement(ctx, s, p, label) {
    const has = (k) => Object.hasOwn(s, k);
    /** keys a misspelt key was taken for ("effect" -> Effect): not reported missing as well */
    const suggested = new Set(Object.keys(s)
        .filter((k) => !STATEMENT_KEYS.includes(k) && !/^(Not)?Principal$/.test(k))
        .flatMap((k) => closest(k, STATEMENT_KEYS)));
    const pos = ctx.valuePos(p);
    if (!has('Effect') && !suggested.has('Effect'))
        ctx.at(pos, `${label} has no "Effect" - add Effect: Allow (or Deny)`, p);
    for (const [a, b, add] of [
        ['Action', 'NotAction', 'add the actions it allows or denies, e.g. Action: "dynamodb:GetItem" (or use NotAction)'],
        [
            'Resource',
            'NotResource',
            'add the resources it applies to, e.g. Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/my-table" or "*" (or use NotResource)',
        ],
    ]) {
        if (has(a) && has(b))
            ctx.at(Math.max(ctx.keyPos([...p, a]), ctx.keyPos([...p, b])), `${label} has both "${a}" and "${b}" - keep only one`, p);
        else if (!has(a) && !has(b) && !suggested.has(a) && !suggested.has(b))
            ctx.at(pos, `${label} has no "${a}" - ${add}`, p);
    }
}
// ---------------------------------------------------------------------------
// entry point
export { LOG_RETENTION_DAYS } from "./messages.js";
export async function loadConfig(configPath, options = {}) {
    const env = options.env ?? process.env;
    const file = configPath;
    const absFile = path.resolve(configPath);
    const dir = path.dirname(absFile);
    let src;
    try {
        src = await readConfigFile(absFile);
    }
    catch (err) {
        if (!(err instanceof ReadProblem))
            throw err;
        if (err.code === 'ENOENT' && options.optional && (await hasHandler(dir))) {
            return loadConfigText(ZERO_CONFIG, file, absFile, dir, env, options);
        }
        throw new ConfigError([{ file, line: err.line, column: 1, message: err.message }]);
    }
    return loadConfigText(src, file, absFile, dir, env, options);
}
/** A project with a socket.js and no serverless.yml: every input defaulted (the seed's "zero configuration"). */
const ZERO_CONFIG = `Socket:\n  component: "${SOCKET_COMPONENT}"\n`;
async function loadConfigText(src, file, absFile, dir, env, options) {
    const { lineCounter, problems, doc, targets } = parseYaml(src);
    const ctx = new Ctx(file, lineCounter, targets, env);
    const fail = () => new ConfigError(firstOnes(sortDiagnostics(redacted(ctx))));
    for (const { offset, message } of problems)
        ctx.at(offset, message);
    if (doc === undefined)
        throw fail();
    const rootNode = deref(ctx, doc.contents);
    if (rootNode == null || (isScalar(rootNode) && rootNode.value == null)) {
        ctx.at(0, `${path.basename(absFile)} is empty - add a socket component, e.g. ${SNIPPET}`);
        throw fail();
    }
    const data = toData(ctx, doc.contents, [], startOf(rootNode) ?? 0, 0);
    if (!isObj(data)) {
        if (!ctx.done([])) {
            // described, not quoted: a file that is not YAML config (a .env, /etc/passwd) may hold secrets
            const [start = 0, end = start] = rootNode.range ?? [];
            const lines = lineCounter.linePos(end).line - lineCounter.linePos(start).line + 1;
            const got = typeof data === 'string' && lines > 1 ? `a text of ${lines} lines` : describeUnquoted(data);
            ctx.at(start, `the top level of ${path.basename(absFile)} must be a mapping (key: value lines), got ${got} - e.g. ${SNIPPET}`);
        }
        throw fail();
    }
    check(ctx, data);
    const keys = Object.keys(data).filter((k) => !TOP_LEVEL_KEYS.includes(k));
    if (!keys.some((k) => isComponent(data[k]) || (isObj(data[k]) && !didYouMean(k, TOP_LEVEL_KEYS)))) {
        ctx.at(0, `no socket component found - add one, e.g. ${SNIPPET}`);
    }
    const valid = (p, v) => (v !== undefined && ctx.ok(p) ? v : undefined);
    const parsed = { file, components: [] };
    const name = valid(['name'], data.name);
    const fileStage = valid(['stage'], data.stage);
    if (name !== undefined)
        parsed.name = name;
    if (fileStage !== undefined)
        parsed.stage = fileStage;
    let stage = fileStage;
    if (options.stage !== undefined) {
        const problem = stageNameProblem(options.stage);
        if (!problem)
            stage = options.stage;
        else
            ctx.at(0, `stage ${quote(options.stage)} (given as an option) is invalid: ${problem}`);
    }
    const sockets = [];
    const seenApps = new Map();
    for (const key of keys) {
        const c = data[key];
        if (!isComponent(c) || !ctx.ok([key, 'component']))
            continue;
        const given = isObj(c.inputs) ? c.inputs : {};
        const input = (k) => valid([key, 'inputs', k], given[k]);
        const inputs = {};
        for (const k of INPUT_KEYS) {
            let v = input(k);
            if (k === 'env' && isObj(v))
                v = Object.fromEntries(Object.entries(v).map(([name, value]) => [name, String(value)]));
            if (k === 'env' || k === 'policy' || k === 'throttle' || k === 'secrets')
                v = v === null ? (k === 'policy' ? [] : {}) : v;
            if (k === 'permissionsBoundary' && typeof v === 'string')
                v = v.trim();
            // a mapping is the frame a client would send as JSON
            if (k === 'smoke' && isObj(v) && isObj(v.message))
                v = { ...v, message: JSON.stringify(v.message) };
            if (v !== undefined)
                Object.assign(inputs, { [k]: v });
        }
        if (Object.hasOwn(given, 'policy')) {
            const { line, col } = lineCounter.linePos(ctx.keyPos([key, 'inputs', 'policy']));
            inputs.policyAt = { line, column: col };
        }
        if (isObj(given.env)) {
            const kept = Object.entries(given.env).filter(([k, v]) => v !== null && typeof v !== 'object' && ctx.ok([key, 'inputs', 'env', k]));
            // the secrets' references are one more variable (SOCKET_ACTION_SECRETS) beside env
            const refs = isObj(given.secrets) ? { [SECRETS_VARIABLE]: JSON.stringify(given.secrets) } : {};
            const size = Buffer.byteLength(JSON.stringify({ ...Object.fromEntries(kept.map(([k, v]) => [k, String(v)])), ...refs }), 'utf8');
            if (size > ENV_MAX_BYTES) {
                ctx.at(ctx.keyPos([key, 'inputs', 'env']), `input "env" is ${size} bytes (as JSON), over Lambda's 4 KB limit (${ENV_MAX_BYTES} bytes) for all environment variables together - move large values elsewhere (e.g. SSM Parameter Store)`, [key, 'inputs', 'env']);
            }
        }
        const headersAt = [key, 'inputs', 'smoke', 'headers'];
        const headers = isObj(given.smoke) ? given.smoke.headers : undefined;
        // no problem under it: every name a token, every value a string
        if (isObj(headers) && ctx.ok(headersAt))
            for (const { name, message } of headerProblems(headers, 'input "smoke.headers"'))
                ctx.at(ctx.keyPos([...headersAt, name]), message, [...headersAt, name]);
        const domainAt = [key, 'inputs', 'domain'];
        const domain = domainInput(ctx, domainAt, inputs.domain, stage ?? DEFAULT_STAGE);
        // every entry checked, even when another one broke the schema
        const givenSecrets = isObj(given.secrets) ? given.secrets : undefined;
        const secrets = secretsInput(ctx, [key, 'inputs', 'secrets'], givenSecrets, given.env, stage ?? DEFAULT_STAGE);
        const keyPos = ctx.keyPos([key]);
        parsed.components.push({ key, component: c.component, inputs, line: lineCounter.linePos(keyPos).line });
        const app = inputs.name ?? parsed.name ?? appFromFolder(path.basename(dir));
        const codeDir = inputs.code === undefined ? dir : path.resolve(dir, inputs.code);
        // in the order `defaulted` lists them; 30 days of logs: enough to look back at a preview's or an incident's (Lambda's
        // own default keeps them, and bills, forever)
        const defaults = {
            region: INPUTS.region.default,
            memory: INPUTS.memory.default,
            timeout: INPUTS.timeout.default,
            description: `socket-action backend ${app}`,
            env: {},
            code: undefined,
            runtime: INPUTS.runtime.default,
            architecture: INPUTS.architecture.default,
            policy: [],
            throttle: undefined,
            logRetentionDays: INPUTS.logRetentionDays.default,
            keepVersions: INPUTS.keepVersions.default,
            permissionsBoundary: undefined,
        };
        const defaulted = [
            ...(inputs.name === undefined && parsed.name === undefined ? ['app'] : []),
            ...(stage === undefined ? ['stage'] : []),
            ...Object.keys(defaults).filter((k) => inputs[k] === undefined),
        ];
        const { region } = { ...defaults, ...inputs };
        // a `code` value that failed validation was already reported; don't pile on
        const codePos = Object.hasOwn(given, 'code') ? ctx.valuePos([key, 'inputs', 'code']) : undefined;
        let handlerFile;
        if (codePos === undefined || inputs.code !== undefined) {
            const found = await findHandler(codeDir, inputs.code);
            if ('file' in found)
                handlerFile = found.file;
            else
                ctx.at(codePos ?? 0, found.problem);
        }
        const target = `${app}/${region}`;
        const other = seenApps.get(target);
        if (other !== undefined) {
            ctx.at(keyPos, `components "${other}" and "${key}" would both deploy as "${app}" in ${region} - give one of them a different inputs.name`);
        }
        else {
            seenApps.set(target, key);
        }
        if (handlerFile === undefined || !ctx.ok([key]))
            continue;
        const { name: _name, code: _code, domain: _domain, secrets: _secrets, ...values } = { ...defaults, ...inputs };
        const socket = {
            componentKey: key,
            configFile: absFile,
            app,
            stage: stage ?? DEFAULT_STAGE,
            ...values,
            codeDir,
            handlerFile,
            defaulted,
        };
        if (socket.throttle === undefined)
            delete socket.throttle;
        if (socket.permissionsBoundary === undefined)
            delete socket.permissionsBoundary;
        if (domain)
            socket.domain = domain;
        if (secrets?.length)
            socket.secrets = secrets;
        sockets.push(socket);
    }
    if (ctx.diagnostics.length > 0)
        throw fail();
    return { parsed, sockets, secrets: [...ctx.secrets.keys()] };
}
/**
 * serverless.yml's `domain` (a host name, or a mapping with name and hostedZone) checked beyond the schema, with
 * `{stage}` filled in; problems are reported at the value.
 */
function domainInput(ctx, at, given, stage) {
    if (given === undefined || !ctx.ok(at))
        return undefined;
    const object = typeof given === 'object';
    const namePath = object ? [...at, 'name'] : at;
    const pattern = (object ? given.name : given).trim();
    const label = object ? 'input "domain.name"' : 'input "domain"';
    const written = ctx.written.get(pathKey(namePath));
    const shown = written !== undefined ? fromEnvironment(written) : undefined;
    const problem = domainPatternProblem(pattern, shown) ?? domainNameProblem(domainFor(pattern, stage), shown);
    if (problem) {
        const forStage = !domainPatternProblem(pattern, shown) && pattern.includes(STAGE_PLACEHOLDER);
        ctx.at(ctx.valuePos(namePath), `${label} ${problem}${forStage ? ` (for stage ${quote(stage)})` : ''}`, namePath);
        return undefined;
    }
    const zone = object ? given.hostedZone?.trim() : undefined;
    const name = domainFor(pattern, stage);
    if (zone !== undefined) {
        const zonePath = [...at, 'hostedZone'];
        const zoneName = zone.replace(/\.$/, '').toLowerCase();
        const isId = /^(\/hostedzone\/)?Z[0-9A-Z]{1,31}$/.test(zone);
        const zoneProblem = isId ? undefined : domainNameProblem(zoneName);
        if (zoneProblem) {
            ctx.at(ctx.valuePos(zonePath), `input "domain.hostedZone" ${zoneProblem} - give the zone's name or its id (Z...)`, zonePath);
            return undefined;
        }
        if (!isId && name !== zoneName && !name.endsWith(`.${zoneName}`)) {
            ctx.at(ctx.valuePos(zonePath), `input "domain.hostedZone" is ${quote(zoneName)}, but ${quote(name)} is not in it - name the zone the domain is in (e.g. ${quote(name.slice(name.indexOf('.') + 1))})`, zonePath);
            return undefined;
        }
        return { name, pattern, hostedZone: isId ? zone.replace(/^\/hostedzone\//, '') : zoneName };
    }
    return { name, pattern };
}
// ---------------------------------------------------------------------------
// secrets
/**
 * serverless.yml's `secrets` checked beyond the schema (names and value types are the schema's): each reference's
 * scheme and name (secret-ref.ts), `{stage}` filled in, no name also in env, at most MAX_SECRETS.
 */
function secretsInput(ctx, at, given, env, stage) {
    if (given === undefined)
        return undefined;
    const entries = Object.entries(given);
    if (entries.length > MAX_SECRETS) {
        ctx.at(ctx.keyPos(at), `input "secrets" has ${entries.length} entries, over the ${MAX_SECRETS} allowed: ${MAX_SECRETS_WHY} - keep related values in one secret (a JSON document) and parse it in socket.js`, at);
        return undefined;
    }
    const refs = [];
    for (const [name, value] of entries) {
        const p = [...at, name];
        if (typeof value !== 'string' || !ctx.ok(p))
            continue;
        if (isObj(env) && Object.hasOwn(env, name)) {
            ctx.at(ctx.keyPos(p), `secrets ${quote(name)} is also in env - a variable gets its value from one place: remove it from env (its value would be plaintext in the function's configuration) or from secrets`, p);
            continue;
        }
        const written = ctx.written.get(pathKey(p));
        const parsed = parseSecretRef(value, stage, written !== undefined ? fromEnvironment(written) : undefined);
        if ('problem' in parsed) {
            ctx.at(ctx.valuePos(p), `secrets ${quote(name)} ${parsed.problem}`, p);
            continue;
        }
        refs.push({ name, ...parsed, line: ctx.lineCounter.linePos(ctx.keyPos(p)).line });
    }
    return refs;
}
/**
 * The diagnostics, with any value that came from ${env.X} replaced by its reference: messages show references, not
 * values, already; this also covers the ones built elsewhere (handler.ts's code folder).
 */
function redacted(ctx) {
    const secrets = [...ctx.secrets].filter(([v]) => v.length >= MIN_REDACTED).sort(([a], [b]) => b.length - a.length);
    if (secrets.length === 0)
        return ctx.diagnostics;
    return ctx.diagnostics.map((d) => ({
        ...d,
        message: secrets.reduce((m, [value, ref]) => m.split(value).join(ref), d.message),
    }));
}
/** The first MAX_DIAGNOSTICS, and a line that says how many more: a broken 1 MB file is not a 1 MB report. */
function firstOnes(ds) {
    if (ds.length <= MAX_DIAGNOSTICS)
        return ds;
    const next = ds[MAX_DIAGNOSTICS];
    const more = ds.length - MAX_DIAGNOSTICS;
    const message = `and ${more.toLocaleString('en-US')} more problems from here on - fix the ones above first`;
    return [...ds.slice(0, MAX_DIAGNOSTICS), { ...next, message }];
}
function sortDiagnostics(ds) {
    return ds
        .map((d, i) => ({ d, i }))
        .sort((a, b) => a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i)
        .map(({ d }) => d);
}
