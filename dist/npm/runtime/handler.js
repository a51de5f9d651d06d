// The Lambda handler: turns an API Gateway WebSocket event into a call of the socket.js route handler.
import { broadcast, clientFor, connectionsEndpoint, deleteConnection, encode, getConnection, postToConnection, } from "./connections.js";
import { handlerFor, LIFECYCLE_ROUTES } from "./registry.js";
import { broadcastToAll, registryOf, registrySocket } from "./registry-socket.js";
import { isSmokeTest, SMOKE_NAMESPACE, smokeSocket } from "./smoke.js";
/** Which socket.js route an event goes to, and the `data` it gets. Reads the body itself, whatever routeKey the API delivered. */
export function dispatchOf(event) {
    const ctx = event.requestContext;
    if (ctx.eventType === 'CONNECT') {
        return { route: 'connect', data: { headers: event.headers ?? {}, query: event.queryStringParameters ?? {} } };
    }
    if (ctx.eventType === 'DISCONNECT') {
        return { route: 'disconnect', data: { statusCode: ctx.disconnectStatusCode, reason: ctx.disconnectReason ?? '' } };
    }
    const text = event.body === undefined
        ? ''
        : event.isBase64Encoded
            ? Buffer.from(event.body, 'base64').toString('utf8')
            : event.body;
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
/**
 * Starts a socket call and keeps it in `pending` until it settles, with its call site: a call still pending when the
 * handler returns was not awaited, and Lambda freezes the environment at that point.
 */
function tracked(pending, method, caller, start) {
    if (!pending)
        return start();
    const call = { method, site: {} };
    // Only captured here; formatted (and source-mapped) only if the warning is printed.
    Error.captureStackTrace(call.site, caller);
    pending.add(call);
    return start().then((value) => {
        pending.delete(call);
        return value;
    }, (error) => {
        pending.delete(call);
        // After the handler returned nobody can await it: say so instead of an unhandled rejection that would end the
        // environment. Before that, the rejection goes to the caller, or is unhandled as any promise's would be.
        if (!call.orphaned)
            throw error;
        console.error(`socket-action: socket.${method}() that was not awaited failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
        return undefined;
    });
}
/** `file:line:col` of the first frame of a captured stack. */
function callSite(stack) {
    const frame = stack?.split('\n').find((line) => line.trimStart().startsWith('at '));
    if (!frame)
        return 'unknown location';
    const inParens = /\(([^()]+)\)\s*$/.exec(frame);
    return (inParens?.[1] ?? frame.trim().replace(/^at\s+(async\s+)?/, '')).replace(/^file:\/\//, '');
}
export function socketFor(event, pending, registry) {
    const { connectionId, domainName, stage } = event.requestContext;
    const client = () => clientFor(connectionsEndpoint(event.requestContext));
    const track = (method, caller, start) => tracked(pending, method, caller, start);
    const socket = {
        id: connectionId,
        domain: domainName,
        stage,
        event,
        send: (data, id = connectionId) => track('send', socket.send, () => postToConnection(client(), id, encode(data))),
        close: (id = connectionId) => track('close', socket.close, () => deleteConnection(client(), id)),
        info: (id = connectionId) => track('info', socket.info, () => getConnection(client(), id)),
        broadcast: (data, ids, options) => track('broadcast', socket.broadcast, async () => {
            if (ids === undefined)
                return broadcastToAll(registry, data, options?.concurrency);
            const gone = await broadcast(client(), data, ids, options?.concurrency);
            await registry?.prune(gone.map((id) => ({ id })));
            return gone;
        }),
        ...registrySocket(registry, track),
    };
    return socket;
}
/** One warning per socket call the handler left running: on Lambda it may never complete. */
function warnNotAwaited(pending, route) {
    for (const call of pending) {
        call.orphaned = true;
        console.warn(`socket-action: socket.${call.method}() in the "${route}" handler was not awaited (${callSite(call.site.stack)}): ` +
            'on Lambda this send may never happen, because the environment is frozen when the handler returns. Await it.');
    }
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
        return {
            statusCode: result.statusCode,
            ...(result.headers && { headers: result.headers }),
            ...(body !== undefined && { body }),
        };
    }
    return { statusCode: 200, body: JSON.stringify(value) };
}
const warned = new Set();
export async function handle(event, _context) {
    if (!event?.requestContext?.eventType) {
        throw new TypeError('socket-action: not an API Gateway WebSocket event (requestContext.eventType is missing)');
    }
    // A smoke test of a new version (src/aws/smoke.ts): sends are recorded and returned, never delivered.
    const sent = isSmokeTest(event) ? [] : undefined;
    const withRecord = (result) => sent ? { ...result, smoke: { sent } } : result;
    const { route, data } = dispatchOf(event);
    const handler = handlerFor(route);
    if (!handler && route === 'default') {
        if (!warned.has(route)) {
            warned.add(route);
            console.warn('socket-action: a message matched no route and socket.js has no on("default") handler; it was dropped');
        }
        return withRecord({ statusCode: 200 });
    }
    const pending = new Set();
    // A smoke test's connections live in a namespace of their own: the version's registry calls run against the real
    // table (its grant included), and no real member ever sees them.
    const registry = sent
        ? registryOf(event, async (id, payload) => void sent.push({ connectionId: id, data: Buffer.from(payload).toString('utf8') }), SMOKE_NAMESPACE)
        : registryOf(event, (id, payload) => postToConnection(clientFor(connectionsEndpoint(event.requestContext)), id, payload));
    const eventType = event.requestContext.eventType;
    try {
        const socket = sent ? smokeSocket(event, sent, registry) : socketFor(event, pending, registry);
        // No on('connect') or on('disconnect') handler: accepted, and registered or removed all the same.
        const result = toProxyResult(handler ? await handler(data, socket) : undefined);
        // Registered once on('connect') accepts: what it joined and set is written in the same request.
        if (eventType === 'CONNECT' && result.statusCode >= 200 && result.statusCode < 300)
            await registry?.commitConnect();
        return withRecord(result);
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
    finally {
        warnNotAwaited(pending, route);
        // After the disconnect handler, which may still read the rooms and tell them; even when it threw.
        if (eventType === 'DISCONNECT')
            await unregister(registry, event.requestContext.connectionId);
    }
}
async function unregister(registry, connectionId) {
    try {
        await registry?.unregister();
    }
    catch (error) {
        // $disconnect's answer goes nowhere: say it, and let the TTL remove what could not be removed now.
        console.error(`socket-action: connection ${connectionId} could not be removed from the registry (its TTL removes it within hours): ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    }
}
