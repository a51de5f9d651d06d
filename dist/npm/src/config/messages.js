// What is wrong where serverless.yml breaks the schema, and how to fix it: ajv finds the place (a path in the file's
// data); these messages, chosen by the field at that path, explain it, with did-you-mean hints and deprecations.
// A message shows the value as `at.shown` (quote.ts: cut when long, its ${env.X} reference when it came from the
// environment), and gives no hint built from the value when it came from the environment (it may be a secret).
import schema from '../../schema/serverless.schema.json' with { type: 'json' };
import { permissionsBoundaryProblem } from "./boundary.js";
import { DOMAIN_EXAMPLE } from "./domain-name.js";
import { SECRETS_EXAMPLE } from "./secret-ref.js";
import { STAGE_NAME_RULE } from "./stage-name.js";
import { AWS_REGIONS } from "./regions.js";
import { describe, describeUnquoted, quote } from "./quote.js";
import { didYouMean } from "./suggest.js";
const D = schema.definitions;
const INPUTS = D.inputs.properties;
const TOP_LEVEL_KEYS = Object.keys(schema.properties);
const INPUT_KEYS = Object.keys(INPUTS);
const STATEMENT_KEYS = Object.keys(D.statement.properties);
const RESERVED_ENV = INPUTS.env.propertyNames.not.anyOf[0].enum;
/** env names socket-action sets on the function itself (SOCKET_ACTION_TABLE: the connection registry's table). */
export const OWN_ENV_PREFIX = 'SOCKET_ACTION_';
/** Words a `connections` value may be meant as: the registry is the only kind there is. */
const CONNECTIONS_ALIASES = new Set([
    'true',
    'yes',
    'on',
    'dynamodb',
    'dynamo',
    'table',
    'ddb',
    'registered',
    'register',
]);
/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = D.retentionDays.enum;
const NODEJS_RUNTIME_RE = /^nodejs(\d+)(\.x)?$/i;
const RUNTIME_LOOSE_RE = /^(?:node(?:js)?)?[\s_-]*(\d+)(?:\.x)?$/i;
const ARCHITECTURE_ALIASES = {
    'x86-64': 'x86_64',
    x8664: 'x86_64',
    amd64: 'x86_64',
    x64: 'x86_64',
    x86: 'x86_64',
    intel: 'x86_64',
    aarch64: 'arm64',
    arm: 'arm64',
    arm64v8: 'arm64',
    graviton: 'arm64',
};
const THROTTLE_ALIASES = {
    throttlingburstlimit: 'burstLimit',
    throttlingratelimit: 'rateLimit',
    burst: 'burstLimit',
    rate: 'rateLimit',
};
const ACTION_FIXABLE_RE = /^([A-Za-z0-9-]+)\s*(?:[./_ ]|::)\s*([A-Za-z0-9*?]+)$/;
const COMPONENT_KEYS = Object.keys(D.component.properties);
const THROTTLE_KEYS = Object.keys(INPUTS.throttle.properties);
const SMOKE_KEYS = Object.keys(INPUTS.smoke.properties);
const DOMAIN_KEYS = Object.keys(INPUTS.domain.properties);
const SMOKE_REQUIRED = INPUTS.smoke.required;
const SMOKE_EXAMPLE = `smoke: { message: '{"route":"ping"}', expect: pong }`;
const HEADERS_EXAMPLE = 'headers: { Authorization: "Bearer ${env.SMOKE_TOKEN}" }';
const QUERY_EXAMPLE = 'query: { token: "${env.SMOKE_TOKEN}" }';
/** Names a smoke key may be taken for. */
const SMOKE_ALIASES = {
    body: 'message',
    send: 'message',
    request: 'message',
    reply: 'expect',
    response: 'expect',
    expected: 'expect',
    contains: 'expect',
    header: 'headers',
    multivalueheaders: 'headers',
    querystring: 'query',
    querystringparameters: 'query',
    multivaluequerystringparameters: 'query',
    params: 'query',
    parameters: 'query',
};
export const SOCKET_COMPONENT = '@serverless/socket';
export const SNIPPET = `Socket: { component: "${SOCKET_COMPONENT}" }`;
/** The stage-name rule's explanation (src/config/stage-name.ts is the rule; the schema's pattern is the same). */
export const STAGE_RULE = STAGE_NAME_RULE;
export const NUMBER_RE = /^-?\d+(\.\d+)?$/;
export const isObj = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isComponent = (v) => isObj(v) && Object.hasOwn(v, 'component');
const str = ({ v, label, shown }) => `${label} must be a string, got ${shown}${typeof v === 'number' || typeof v === 'boolean' ? ` - put it in quotes if you mean the text "${shown}"` : ''}`;
const ifString = (m) => (at) => typeof at.v === 'string' ? m(at.v, at) : str(at);
const number = (what, range, integer = true) => (at) => {
    const { v, label, sub, shown } = at;
    if (typeof v === 'number' && (!integer || Number.isInteger(v)))
        return range(v, at);
    // only spaces around the number (a \r escaped into it is no quoting mistake)
    const quoted = typeof v === 'string' && !sub && /^ *-?\d+(\.\d+)? *$/.test(v);
    return `${label} must be ${what}, got ${shown}${quoted ? ' - remove the quotes' : ''}`;
};
/** One of a few words; `hint` may suggest one for a near miss. */
const choice = (allowed, hint = (w) => didYouMean(w, allowed)) => ({ v, label, shown }) => {
    const base = `${label} must be ${allowed.join(' or ')}, got ${shown}`;
    const h = v === null || typeof v === 'object' ? undefined : hint(String(v));
    return h ? `${base} - ${h}` : base;
};
const nameRule = ifString((_, { label, shown }) => `${label} must be 1-64 characters of letters, digits, "-" and "_", starting with a letter or digit, got ${shown}`);
const action = (s, { label, sub, shown }) => {
    const m = sub ? null : ACTION_FIXABLE_RE.exec(s.trim());
    const hint = m ? ` - did you mean "${m[1].toLowerCase()}:${m[2]}"?` : '';
    return `${label} must be "*" or service:Action (wildcards * allowed), e.g. "dynamodb:GetItem", got ${shown}${hint}`;
};
const resource = (_, { label, shown }) => `${label} must be "*" or an ARN (arn:partition:service:region:account:resource), got ${shown}`;
const item = (m) => (at) => typeof at.v === 'string' ? m(at.v, at) : `${at.label} must be a string, got ${at.shown}`;
const list = (item) => (at) => typeof at.v === 'string'
    ? item(at.v, at)
    : Array.isArray(at.v)
        ? `${at.label} must not be an empty list`
        : `${at.label} must be a string or a list of strings, got ${at.shown}`;
const notNegative = (_, { label, shown }) => `${label} must be 0 or more, got ${shown}`;
/** By field: @name for the top level and the component's own keys, the input's path (# a list index) for inputs. */
export const VALUE = {
    '@name': nameRule,
    '@stage': ifString((_, { shown }) => `stage ${shown} is invalid: ${STAGE_RULE}`),
    '@component': (at) => typeof at.v === 'string'
        ? `component ${at.shown} is not supported: socket-action deploys only "${SOCKET_COMPONENT}" components`
        : str({ ...at, label: `"component" of ${quote(at.p[0])}` }),
    '@inputs': ({ p, shown }) => `"inputs" of component ${quote(p[0])} must be a mapping of input names to values, got ${shown}`,
    name: nameRule,
    description: ifString((s, { label }) => `${label} is ${s.length} characters; Lambda allows at most ${INPUTS.description.maxLength} - shorten it`),
    region: ifString((s, { label, shown }) => `${label} must be an AWS region, got ${shown} - ${didYouMean(s, AWS_REGIONS, 3) ?? `use one of ${AWS_REGIONS.join(', ')}`}`),
    memory: number('an integer number of MB', (_, { label, shown }) => {
        const { minimum, maximum } = INPUTS.memory;
        return `${label} must be between ${minimum} and ${maximum} MB (Lambda's allowed range), got ${shown}`;
    }),
    timeout: number('an integer number of seconds', (_, { label, shown }) => {
        const { minimum, maximum } = INPUTS.timeout;
        return `${label} must be between ${minimum} and ${maximum} seconds, got ${shown}: API Gateway's WebSocket integration timeout is ${maximum} seconds, so a longer Lambda timeout could never be used`;
    }),
    logRetentionDays: number('an integer number of days', (n, { label, sub, shown }) => {
        const nearest = LOG_RETENTION_DAYS.reduce((best, d) => (Math.abs(d - n) < Math.abs(best - n) ? d : best));
        const hint = sub ? 'use one of' : `did you mean ${nearest}? (one of`;
        return `${label} must be a retention CloudWatch Logs accepts, got ${shown} - ${hint} ${LOG_RETENTION_DAYS.join(', ')}${sub ? '' : ')'}`;
    }),
    keepVersions: number('an integer number of versions', (_, { label, shown }) => {
        const { minimum, maximum } = INPUTS.keepVersions;
        return `${label} must be between ${minimum} and ${maximum}, got ${shown}: the version live points to and the one a rollback returns to are always kept`;
    }),
    env: ({ v, label }) => `${label} must be a mapping of environment variable names to values, got ${typeof v === 'string' ? 'a string' : describe(v)}`,
    // never print env values: they may be secrets
    'env/*': ({ v, p }) => v === null
        ? `env ${quote(p[3])} has no value - give it a value (use "" for an empty string) or remove it`
        : `env ${quote(p[3])} must be a string, number or boolean, got ${describe(v)}`,
    secrets: ({ v, label }) => `${label} must be a mapping of environment variable names to references, e.g. ${SECRETS_EXAMPLE}, got ${typeof v === 'string' ? 'a string' : describe(v)}`,
    'secrets/*': ({ v, p }) => v === null
        ? `secrets ${quote(p[3])} has no reference - give one, e.g. ssm:/my-socket/{stage}/stripe or secretsmanager:my-socket/db, or remove it`
        : `secrets ${quote(p[3])} must be a reference (text such as ssm:/my-socket/{stage}/stripe), got ${describe(v)}`,
    code: ifString((_, { label }) => `${label} must not be empty - give the folder that contains socket.js (e.g. ./), or remove it`),
    runtime: (at) => {
        const major = Number(NODEJS_RUNTIME_RE.exec(String(at.v))?.[1]);
        if (major < 22 && typeof at.v === 'string') {
            const when = major === 20 ? ' in 2026' : '';
            return `${at.label} is ${at.shown}, which is deprecated: Lambda blocks creating and updating functions on Node.js ${major}${when} - use nodejs24.x (the default) or nodejs22.x`;
        }
        return choice(D.runtimes.enum, (w) => {
            const loose = RUNTIME_LOOSE_RE.exec(w);
            const wanted = loose ? `nodejs${Number(loose[1])}.x` : '';
            return D.runtimes.enum.includes(wanted) ? `did you mean "${wanted}"?` : didYouMean(w, D.runtimes.enum);
        })(at);
    },
    architecture: choice(D.architectures.enum, (w) => {
        const alias = ARCHITECTURE_ALIASES[w.trim().toLowerCase()];
        return alias !== undefined ? `did you mean "${alias}"?` : didYouMean(w, D.architectures.enum);
    }),
    connections: choice(D.connections.enum, (w) => CONNECTIONS_ALIASES.has(w.trim().toLowerCase())
        ? 'did you mean "registry"? (remove the input for no registry)'
        : (didYouMean(w, D.connections.enum) ?? 'it is the only value: remove the input for no registry')),
    policy: ({ v, label, shown }) => {
        let hint = '';
        if (isObj(v))
            hint =
                'Statement' in v
                    ? ' - give only the statements (the list under "Statement"), not a whole policy document'
                    : ' - put "- " before the statement to make it a list item';
        else if (typeof v === 'string' && v.startsWith('arn:'))
            hint = ' - managed policy ARNs are not supported; list the statements instead';
        return `${label} must be a list of IAM policy statements, got ${shown}${hint}`;
    },
    'policy/#': ({ label, shown }) => `${label} must be an IAM policy statement (a mapping with Effect, Action and Resource), got ${shown}`,
    'policy/#/Sid': ifString((_, { label, shown }) => `${label} must contain only letters and digits, got ${shown}`),
    'policy/#/Effect': choice(D.effects.enum),
    'policy/#/Action': list(action),
    'policy/#/NotAction': list(action),
    'policy/#/Action/#': item(action),
    'policy/#/NotAction/#': item(action),
    'policy/#/Resource': list(resource),
    'policy/#/NotResource': list(resource),
    'policy/#/Resource/#': item(resource),
    'policy/#/NotResource/#': item(resource),
    'policy/#/Condition': ({ label, shown }) => `${label} must be a mapping of condition operators to conditions, e.g. StringEquals: { "aws:RequestedRegion": us-east-1 }, got ${shown}`,
    permissionsBoundary: ifString((s, { label, sub, shown }) => `${label} ${permissionsBoundaryProblem(s.trim(), sub ? shown : undefined)}`),
    throttle: ({ label, shown }) => `${label} must be a mapping with burstLimit and/or rateLimit, got ${shown}`,
    'throttle/burstLimit': number('an integer number of requests', notNegative),
    'throttle/rateLimit': number('a number of requests per second', notNegative, false),
    domain: ({ v, label, shown }) => typeof v === 'string'
        ? `${label} must not be empty - give the host name clients connect to, e.g. ${DOMAIN_EXAMPLE}, or remove it`
        : isObj(v) && !Object.hasOwn(v, 'name')
            ? `${label} has no "name" - add the host name clients connect to, e.g. name: ${DOMAIN_EXAMPLE}`
            : `${label} must be a host name (e.g. ${DOMAIN_EXAMPLE}) or a mapping with name and hostedZone, got ${shown}`,
    'domain/name': ({ label, shown }) => `${label} must be a host name, e.g. ${DOMAIN_EXAMPLE}, got ${shown}`,
    'domain/hostedZone': ({ label, shown }) => `${label} must be a Route 53 hosted zone's name (e.g. example.com) or id (Z...), got ${shown}`,
    smoke: ({ v, label, shown }) => {
        // ajv reports the missing key first: a misspelt one ("reply") is the fix to show
        const unknown = isObj(v) ? Object.keys(v).find((k) => !SMOKE_KEYS.includes(k)) : undefined;
        if (unknown !== undefined)
            return unknownSmokeKey(unknown, label);
        const missing = isObj(v) ? SMOKE_REQUIRED.filter((k) => !Object.hasOwn(v, k)) : [];
        if (!isObj(v) || missing.length === SMOKE_REQUIRED.length)
            return `${label} must be a mapping with "message" (what a client sends) and "expect" (text the reply contains), e.g. ${SMOKE_EXAMPLE}, got ${shown}`;
        return missing[0] === 'expect'
            ? `${label} has no "expect" - add the text the reply to the message must contain, e.g. ${SMOKE_EXAMPLE}`
            : `${label} has no "message" - add what a client sends, e.g. ${SMOKE_EXAMPLE}`;
    },
    'smoke/message': ({ v, label, shown }) => typeof v === 'string'
        ? v === ''
            ? `${label} must not be empty - give the frame a client sends, e.g. '{"route":"ping"}'`
            : `${label} is ${v.length} characters; API Gateway's WebSocket frames are at most ${INPUTS.smoke.properties.message.maxLength} bytes - shorten it`
        : `${label} must be text or a mapping (sent as JSON), e.g. { route: ping }, got ${shown}`,
    'smoke/expect': (at) => at.v === ''
        ? `${at.label} must not be empty: every reply contains "" - give text the reply contains, e.g. pong`
        : str(at),
    'smoke/headers': ({ label, shown }) => `${label} must be a mapping of header names to values, e.g. ${HEADERS_EXAMPLE}, got ${shown}`,
    'smoke/query': ({ label, shown }) => `${label} must be a mapping of query string parameter names to values, e.g. ${QUERY_EXAMPLE}, got ${shown}`,
    // the values may be credentials: never printed
    'smoke/headers/*': credential('header', 'input "smoke.headers"'),
    'smoke/query/*': credential('query string parameter', 'input "smoke.query"'),
};
/** A header's or query parameter's value that is no string: described, never shown (it may be a credential). */
function credential(what, label) {
    return ({ v, p }) => v === null
        ? `${what} ${quote(p[4])} in ${label} has no value - give it one (use "" for an empty one) or remove it`
        : `${what} ${quote(p[4])} in ${label} must be a string, got ${describeUnquoted(v)}${typeof v === 'number' || typeof v === 'boolean' ? ' - put it in quotes' : ''}`;
}
const allowed = (key, keys, what) => didYouMean(key, keys) ?? `allowed ${what} ${keys.join(', ')}`;
function unknownSmokeKey(key, label) {
    const alias = SMOKE_ALIASES[key.toLowerCase()];
    return `unknown key ${quote(key)} in ${label} - ${alias !== undefined ? `did you mean "${alias}"?` : allowed(key, SMOKE_KEYS, 'keys are')}`;
}
/** A key the schema does not allow, by the field of the mapping it is in. */
export const KEY = {
    '@*': (key, { p }) => `unknown key ${quote(key)} in component ${quote(p[0])} - ${allowed(key, COMPONENT_KEYS, 'keys are')}`,
    '@inputs': (key) => `unknown input ${quote(key)} - ${allowed(key, INPUT_KEYS, 'inputs are')}`,
    env: (key) => RESERVED_ENV.includes(key)
        ? `env name "${key}" is reserved: Lambda sets it itself - remove it from env`
        : key.startsWith(OWN_ENV_PREFIX)
            ? `env name "${key}" is reserved: socket-action sets ${OWN_ENV_PREFIX}* variables itself (SOCKET_ACTION_TABLE names the connection registry's table) - rename it`
            : `env name ${quote(key)} is invalid: Lambda needs at least two characters, a letter first, then only letters, digits and "_"`,
    secrets: (key) => /^(AWS_|LAMBDA_)|^_HANDLER$|^_X_AMZN_TRACE_ID$/.test(key)
        ? `secrets name "${key}" is reserved: AWS_*, LAMBDA_* and _HANDLER are Lambda's own variables - rename it`
        : key.startsWith(OWN_ENV_PREFIX)
            ? `secrets name "${key}" is reserved: socket-action sets ${OWN_ENV_PREFIX}* variables itself (SOCKET_ACTION_SECRETS holds the references) - rename it`
            : `secrets name ${quote(key)} is invalid: an environment variable name of at least two characters, a letter first, then only letters, digits and "_"`,
    'policy/#': (key, { label }) => key === 'Principal' || key === 'NotPrincipal'
        ? `${label} must not have "${key}": the statement is added to the function role's own policy, whose principal is the role - remove it`
        : `unknown key ${quote(key)} in ${label} - ${allowed(key, STATEMENT_KEYS, 'keys are')}`,
    smoke: (key, { label }) => unknownSmokeKey(key, label),
    domain: (key, { label }) => `unknown key ${quote(key)} in ${label} - ${/zone/i.test(key) ? 'did you mean "hostedZone"?' : allowed(key, DOMAIN_KEYS, 'keys are')}`,
    'smoke/headers': (key, { label }) => `header name ${quote(key)} in ${label} is not a valid HTTP header name: use only letters, digits and ${"!#$%&'*+-.^_`|~"} (no spaces or ":"), e.g. Authorization`,
    'smoke/query': (_, { label }) => `${label} has a parameter with an empty name - give it a name, e.g. ${QUERY_EXAMPLE}`,
    throttle: (key, { label }) => {
        const alias = THROTTLE_ALIASES[key.toLowerCase()];
        return `unknown key ${quote(key)} in ${label} - ${alias !== undefined ? `did you mean "${alias}"?` : allowed(key, THROTTLE_KEYS, 'keys are')}`;
    },
};
export function topLevelMessage(key, v) {
    const hint = didYouMean(key, TOP_LEVEL_KEYS);
    if (hint)
        return `unknown top-level key "${key}" - ${hint}`;
    // a key that is no name is described, not quoted: the file may not be YAML config (a .env's `TOKEN=...: x` line)
    const named = /^[\w.@/-]{1,64}$/.test(key) ? `"${key}"` : `(${describeUnquoted(key)}, not a name)`;
    if (isObj(v))
        return `top-level key ${named} has no "component:" - add component: "${SOCKET_COMPONENT}" to deploy it as a socket, or remove it`;
    return `unknown top-level key ${named} - allowed are ${TOP_LEVEL_KEYS.join(', ')} and socket components such as ${SNIPPET}`;
}
