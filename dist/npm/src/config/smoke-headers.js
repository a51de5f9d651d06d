// serverless.yml `smoke.headers` beyond what the schema says: header names are case-insensitive, which a JSON Schema
// pattern cannot say, so the names API Gateway sets itself and the same name given twice are found here. A value is
// never shown (it may come from the environment), only its header's name.
/**
 * Headers of the handshake the client does not choose: API Gateway (or the WebSocket client) sets them, or drops them
 * as hop-by-hop; a smoke test that sent its own would test an event API Gateway never sends.
 */
export const RESERVED_HEADERS = {
    gateway: ['Host', 'X-Forwarded-For', 'X-Forwarded-Port', 'X-Forwarded-Proto', 'X-Amzn-Trace-Id'],
    handshake: ['Connection', 'Upgrade', 'Content-Length', 'Transfer-Encoding'],
};
const RESERVED = new Map(Object.entries(RESERVED_HEADERS).flatMap(([kind, names]) => names.map((name) => [name.toLowerCase(), { name, kind }])));
const WEBSOCKET_PREFIX = 'sec-websocket-';
/** What Node.js's HTTP client refuses in a header value (http.validateHeaderValue): controls but tab, past Latin-1. */
const INVALID_VALUE_RE = /[^\t\x20-\x7e\x80-\xff]/;
/** What is wrong with the headers of `smoke.headers` (names already valid HTTP tokens, values strings). */
export function headerProblems(headers, label) {
    const problems = [];
    const seen = new Map();
    for (const [name, value] of Object.entries(headers)) {
        const lower = name.toLowerCase();
        const reserved = lower.startsWith(WEBSOCKET_PREFIX)
            ? { name: 'Sec-WebSocket-*', kind: 'handshake' }
            : RESERVED.get(lower);
        const earlier = seen.get(lower);
        if (reserved !== undefined)
            problems.push({
                name,
                message: `header "${name}" in ${label} is ${reserved.kind === 'gateway' ? 'set by API Gateway itself' : "the WebSocket handshake's own: the client and API Gateway set it"} (${reserved.name}) - remove it; give only headers a client chooses, e.g. Authorization`,
            });
        else if (earlier !== undefined)
            problems.push({
                name,
                message: `header "${name}" in ${label} is "${earlier}" again (header names are case-insensitive) - keep one of them`,
            });
        else if (INVALID_VALUE_RE.test(value))
            problems.push({
                name,
                message: `header "${name}" in ${label} has a character no HTTP header can carry (a line break, a control character, or one past Latin-1) - remove it`,
            });
        seen.set(lower, earlier ?? name);
    }
    return problems;
}
/** The inputs a handshake's credentials came from, as messages name them ("smoke.headers and smoke.query"), if any. */
export function credentialInputs(smoke) {
    const given = ['headers', 'query'].filter((k) => Object.keys(smoke?.[k] ?? {}).length > 0);
    return given.length > 0 ? given.map((k) => `smoke.${k}`).join(' and ') : undefined;
}
