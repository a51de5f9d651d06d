// The Lambda handler: turns an API Gateway WebSocket event into a call of the socket.js route handler.
import { broadcast, clientFor, deleteConnection, encode, getConnection, postToConnection } from "./connections.js";
import { handlerFor, LIFECYCLE_ROUTES } from "./registry.js";
/** Which socket.js route an event goes to, and the `data` it gets. Reads the body itself, whatever routeKey the API delivered. */
export function dispatchOf(event) {
    const ctx = event.requestContext;
    if (ctx.eventType === 'CONNECT') {
        return { route: 'connect', data: { headers: event.headers ?? {}, query: event.queryStringParameters ?? {} } };
    }
    if (ctx.eventType === 'DISCONNECT') {
        return { route: 'disconnect', data: { statusCode: ctx.disconnectStatusCode, reason: ctx.disconnectReason ?? '' } };
    }
    const text = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    let parsed;
    try {
        parsed = JSON.parse(text);
    }
    catch {
        return { route: 'default', data: text };
    }
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && 'route' in parsed) {
        const frame = parsed;
        // API Gateway stringifies non-string route values before matching.
        const route = typeof frame.route === 'string' ? frame.route : JSON.stringify(frame.route);
        // A frame can never select a lifecycle route: `{"route":"connect"}` must not re-run connection auth.
        if (!LIFECYCLE_ROUTES.has(route) && handlerFor(route))
            return { route, data: frame.data };
    }
    return { route: 'default', data: parsed };
}
export function socketFor(event) {
    const { connectionId, domainName, stage } = event.requestContext;
    const client = () => clientFor(domainName, stage);
    return {
        id: connectionId,
        domain: domainName,
        stage,
        event,
        send: (data, id = connectionId) => postToConnection(client(), id, encode(data)),
        close: (id = connectionId) => deleteConnection(client(), id),
        info: (id = connectionId) => getConnection(client(), id),
        broadcast: (data, ids, options) => broadcast(client(), data, ids, options?.concurrency),
    };
}
/** A number is the status; `{statusCode}` passes through; nothing is 200; any other value is a 200 body. */
export function toProxyResult(value) {
    if (value === undefined || value === null)
        return { statusCode: 200 };
    if (typeof value === 'number')
        return { statusCode: value };
    if (typeof value === 'string')
        return { statusCode: 200, body: value };
    if (typeof value === 'object' && typeof value.statusCode === 'number') {
        const result = value;
        const body = result.body === undefined || typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
        return { statusCode: result.statusCode, ...(result.headers && { headers: result.headers }), ...(body !== undefined && { body }) };
    }
    return { statusCode: 200, body: JSON.stringify(value) };
}
const warned = new Set();
export async function handle(event, _context) {
    if (!event?.requestContext?.eventType) {
        throw new TypeError('socket-action: not an API Gateway WebSocket event (requestContext.eventType is missing)');
    }
    const { route, data } = dispatchOf(event);
    const handler = handlerFor(route);
    if (!handler) {
        if (route === 'default' && !warned.has(route)) {
            warned.add(route);
            console.warn('socket-action: a message matched no route and socket.js has no on("default") handler; it was dropped');
        }
        return { statusCode: 200 };
    }
    try {
        return toProxyResult(await handler(data, socketFor(event)));
    }
    catch (error) {
        // Logged here with its route and connection; rethrown so API Gateway answers as it does for a failed integration.
        console.error(JSON.stringify({
            level: 'error',
            message: 'socket-action: handler failed',
            route,
            connectionId: event.requestContext.connectionId,
            error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
        }));
        throw error;
    }
}
