// Builds Lambda proxy events exactly as API Gateway v2 sends them for a WebSocket API.
import { randomBytes } from 'node:crypto';
/**
 * A connection (or request, or message) id as API Gateway makes them: 15 URL-safe base64 characters and `=` (e.g. `ZDb-VclrIAMCJ3w=`), so a
 * client may put it raw into `/@connections/{id}`: no `/` or `+`.
 */
export function connectionId() {
    return `${randomBytes(11).toString('base64url')}=`;
}
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Common Log Format, e.g. `25/Nov/2026:21:49:57 +0000`. */
export function clfTime(epochMs) {
    const d = new Date(epochMs);
    const pad = (n) => String(n).padStart(2, '0');
    return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}
/** `identity` as AWS sends it: `userAgent` first and only when the client sent one (captured events from 2024). */
export function identityOf(conn) {
    return conn.userAgent === undefined
        ? { sourceIp: conn.sourceIp }
        : { userAgent: conn.userAgent, sourceIp: conn.sourceIp };
}
/**
 * requestContext in AWS's field order (from captured events): MESSAGE adds `messageId` after `routeKey`, DISCONNECT
 * adds `disconnectStatusCode` there and `disconnectReason` after `messageDirection`.
 */
function context(api, conn, routeKey, eventType, extra = {}) {
    const now = Date.now();
    const requestId = connectionId();
    return {
        routeKey,
        ...(extra.messageId !== undefined && { messageId: extra.messageId }),
        ...(extra.disconnectStatusCode !== undefined && { disconnectStatusCode: extra.disconnectStatusCode }),
        eventType,
        extendedRequestId: requestId,
        requestTime: clfTime(now),
        messageDirection: 'IN',
        ...(extra.disconnectReason !== undefined && { disconnectReason: extra.disconnectReason }),
        stage: api.stage,
        connectedAt: conn.connectedAt,
        requestTimeEpoch: now,
        identity: identityOf(conn),
        requestId,
        domainName: api.domainName,
        connectionId: conn.connectionId,
        apiId: api.apiId,
    };
}
// API Gateway sends these names in this casing whatever the client wrote.
const CANONICAL = new Map([
    'Host',
    'Sec-WebSocket-Extensions',
    'Sec-WebSocket-Key',
    'Sec-WebSocket-Version',
    'Sec-WebSocket-Protocol',
    'User-Agent',
    'X-Amzn-Trace-Id',
    'X-Forwarded-For',
    'X-Forwarded-Port',
    'X-Forwarded-Proto',
].map((name) => [name.toLowerCase(), name]));
// Hop-by-hop headers API Gateway does not pass on.
const DROPPED = new Set(['connection', 'upgrade']);
/**
 * The $connect event of a handshake request. `proto` and `port` are what X-Forwarded-Proto/-Port say: the local
 * gateway's (http, its port), or AWS's own (https, 443) for an event that stands for a handshake with the real API.
 */
export function connectEvent(api, conn, req, localPort, proto = 'http') {
    const multiValueHeaders = {};
    const raw = req.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
        const lower = raw[i].toLowerCase();
        if (DROPPED.has(lower))
            continue;
        const name = CANONICAL.get(lower) ?? raw[i];
        const values = multiValueHeaders[name] ?? [];
        values.push(raw[i + 1]);
        multiValueHeaders[name] = values;
    }
    const forwardedFor = multiValueHeaders['X-Forwarded-For']?.[0];
    multiValueHeaders['X-Forwarded-For'] = [forwardedFor ? `${forwardedFor}, ${conn.sourceIp}` : conn.sourceIp];
    multiValueHeaders['X-Forwarded-Port'] = [String(localPort)];
    multiValueHeaders['X-Forwarded-Proto'] = [proto];
    multiValueHeaders['X-Amzn-Trace-Id'] ??= [
        `Root=1-${Math.floor(conn.connectedAt / 1000).toString(16)}-${randomBytes(12).toString('hex')}`,
    ];
    const headers = Object.fromEntries(Object.entries(multiValueHeaders).map(([k, v]) => [k, v.join(',')]));
    // AWS's order: headers, query, requestContext; the query fields only when the URL had a query.
    const event = { headers, multiValueHeaders };
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.search.length > 1) {
        const multi = {};
        for (const [k, v] of url.searchParams)
            multi[k] = [...(multi[k] ?? []), v];
        event.queryStringParameters = Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v[v.length - 1]]));
        event.multiValueQueryStringParameters = multi;
    }
    event.requestContext = context(api, conn, '$connect', 'CONNECT');
    event.isBase64Encoded = false;
    return event;
}
export function messageEvent(api, conn, routeKey, body) {
    const requestContext = context(api, conn, routeKey, 'MESSAGE', { messageId: connectionId() });
    return { requestContext, body, isBase64Encoded: false };
}
/** What API Gateway puts in `disconnectReason` for a close frame without a status code (1005). */
export const NO_STATUS_REASON = 'Client-side close frame status not set';
export function disconnectEvent(api, conn, statusCode, reason) {
    const disconnectReason = statusCode === 1005 && reason === '' ? NO_STATUS_REASON : reason;
    const requestContext = context(api, conn, '$disconnect', 'DISCONNECT', {
        disconnectStatusCode: statusCode,
        disconnectReason,
    });
    const headers = { Host: api.domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' };
    return {
        headers,
        multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
        requestContext,
        isBase64Encoded: false,
    };
}
