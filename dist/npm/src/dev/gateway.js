// A local API Gateway v2 WebSocket API: $connect before the upgrade, route selection, the @connections API,
// frame limits and timeouts, with the values of API Gateway's WebSocket quotas (AWS_LIMITS below: 32 KB frames,
// 128 KB messages, 10 min idle, 2 h per connection, 29 s integration timeout, 500 new connections a second).
import { REGISTRY_HEADER } from "../../runtime/connection-store-http.js";
import { answerRegistryRequest } from "./connection-store.js";
import { createServer, STATUS_CODES } from 'node:http';
import { WebSocketServer } from 'ws';
import { toProxyResult } from "../../runtime/handler.js";
import { stackOrigin } from "../bundle/sourcemap.js";
import { connectEvent, connectionId, disconnectEvent, identityOf, messageEvent, } from "./events.js";
import { originAllowed, ownOrigins } from "./origins.js";
export const AWS_LIMITS = {
    frameBytes: 32 * 1024,
    payloadBytes: 128 * 1024,
    idleTimeoutMs: 10 * 60 * 1000,
    maxDurationMs: 2 * 60 * 60 * 1000,
    integrationTimeoutMs: 29_000,
    connectionsPerSecond: 500,
    sendBufferBytes: 1024 * 1024,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    postDelayMs: 0,
};
/**
 * The query parameter a playground panel adds to its WebSocket URL so that its page can tell its connection id. dev
 * removes it before $connect: the handler sees the URL it would see from any other client.
 */
export const PLAYGROUND_TAG = 'socket-action-playground';
const WS_GUID_PROTOCOL = Symbol('socket-action:subprotocol');
export class LocalGateway {
    options;
    server;
    wss;
    connections = new Map();
    limits;
    recentConnects = [];
    api;
    port = 0;
    inflight = new Set();
    /** Sockets whose upgrade waits for $connect. */
    handshakes = new Set();
    closing = false;
    ownOrigins = new Set();
    /** Refused origins already logged (once each: a page retrying in a loop must not flood the terminal). */
    refusedOrigins = new Set();
    constructor(options) {
        this.options = options;
        this.limits = { ...AWS_LIMITS, ...options.limits };
        this.wss = new WebSocketServer({
            noServer: true,
            maxPayload: this.limits.frameBytes,
            perMessageDeflate: false,
            clientTracking: false,
            handleProtocols: (_protocols, req) => req[WS_GUID_PROTOCOL] ?? false,
        });
        // Node's timers for slow clients, checked often enough that a short headersTimeoutMs (tests) is honoured.
        const timeouts = {
            headersTimeout: this.limits.headersTimeoutMs,
            requestTimeout: Math.max(this.limits.requestTimeoutMs, this.limits.headersTimeoutMs),
            connectionsCheckingInterval: Math.max(50, Math.min(1000, this.limits.headersTimeoutMs / 4)),
        };
        // A request the gateway did not foresee answers 500 and is logged: it never takes `dev` down.
        this.server = createServer(timeouts, (req, res) => this.onRequest(req, res).catch((error) => {
            // A client that went away or sent a broken body mid-request is not the gateway's error (clientError answered).
            if (error instanceof ClientAborted)
                return void res.destroy();
            this.options.log?.(`internal error answering ${req.method} ${JSON.stringify(req.url)}: ${error.message}`);
            if (!res.headersSent)
                send(res, 500, { message: 'Internal server error' });
            else
                res.destroy();
        }));
        this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head).catch((error) => {
            this.options.log?.(`internal error answering an upgrade to ${JSON.stringify(req.url)}: ${error.message}`);
            reject(socket, 500, { message: 'Internal server error' });
        }));
        this.server.on('clientError', onClientError);
        this.server.keepAliveTimeout = 60_000;
    }
    async listen() {
        const host = this.options.host ?? '127.0.0.1';
        const port = this.options.port ?? 3001;
        await new Promise((resolve, reject) => {
            this.server.once('error', (error) => reject(error.code === 'EADDRINUSE'
                ? new Error(`port ${port} on ${host} is in use: stop what holds it, or pass --port 0 for a free port`)
                : error));
            this.server.listen(port, host, () => resolve());
        });
        this.port = this.server.address().port;
        const hostPort = `${host.includes(':') ? `[${host}]` : host}:${this.port}`;
        this.api = { apiId: this.options.apiId ?? 'local', domainName: hostPort, stage: this.options.stage };
        this.ownOrigins = ownOrigins(host, this.port);
        return {
            url: `ws://${hostPort}/${this.options.stage}`,
            connectionsUrl: `http://${hostPort}/${this.options.stage}/@connections`,
            port: this.port,
        };
    }
    /** Whether `connectionId` is one of this gateway's connections (open or still in $connect). */
    holds(connectionId) {
        return this.connections.has(connectionId);
    }
    get connectionCount() {
        return [...this.connections.values()].filter((c) => c.state === 'open').length;
    }
    async close() {
        this.closing = true;
        for (const conn of this.connections.values())
            conn.ws?.terminate();
        // Handshakes still waiting for $connect: no WebSocket to terminate yet, so end their sockets.
        for (const socket of this.handshakes)
            socket.destroy();
        // The $disconnect events of the connections just closed still reach @connections and the registry (a bounded
        // moment): their handlers tell rooms, and the registry forgets them, instead of failing on a closed server.
        for (let waited = 0; this.connections.size > 0 && waited < 1000; waited += 10)
            await new Promise((resolve) => setTimeout(resolve, 10));
        await new Promise((resolve) => this.server.close(() => resolve()));
        this.server.closeAllConnections();
        await Promise.allSettled([...this.inflight]);
    }
    /** `Name: message`, and where it was thrown in the user's code (source-mapped): `Error: boom (socket.js:6:9)`. */
    describe(error) {
        const source = this.options.source?.();
        const origin = source && stackOrigin(error.stack, source.codeDir, source.bundleFile);
        return `${error.name}: ${error.message}${origin ? ` (${origin})` : ''}${error.hint ? ` (${error.hint})` : ''}`;
    }
    async run(routeKey, conn, event) {
        const call = this.options.invoke(event, this.limits.integrationTimeoutMs);
        this.inflight.add(call);
        try {
            const outcome = await call;
            const status = outcome.ok
                ? String(normalize(outcome.result).statusCode)
                : outcome.reason === 'timeout'
                    ? 'timeout'
                    : 'error';
            const error = outcome.ok ? undefined : this.describe(outcome.error);
            this.options.log?.(`${routeKey.padEnd(12)} ${conn.connectionId}  ${status.padEnd(7)} ${outcome.ms}ms${error ? `  ${error}` : ''}`);
            this.options.onInvocation?.({
                routeKey,
                connectionId: conn.connectionId,
                ...(conn.tag !== undefined && { tag: conn.tag }),
                status,
                ms: outcome.ms,
                ...(error !== undefined && { error }),
            });
            return outcome;
        }
        finally {
            this.inflight.delete(call);
        }
    }
    // ---- handshake -------------------------------------------------------------------------------------------------
    async onUpgrade(req, socket, head) {
        // Node no longer watches an upgraded socket: a reset while $connect runs must not be an uncaught 'error'.
        socket.on('error', () => socket.destroy());
        const path = malformedTarget(req) ? undefined : pathOf(req)?.replace(/\/+$/, '');
        if (path === undefined)
            return reject(socket, 400, { message: 'Bad Request' });
        // A broken handshake is refused before $connect runs (ws would refuse it only after, leaving the id behind).
        const handshake = handshakeProblem(req);
        if (handshake)
            return reject(socket, handshake.status, { message: handshake.message }, handshake.headers);
        if (path !== '' && path !== `/${this.options.stage}`)
            return reject(socket, 403, { message: 'Forbidden' });
        const origin = req.headers.origin;
        if (this.options.allowOrigins && !originAllowed(origin, this.ownOrigins, this.options.allowOrigins)) {
            if (!this.refusedOrigins.has(origin) && this.refusedOrigins.size < 100) {
                this.refusedOrigins.add(origin);
                this.options.log?.(`refused a WebSocket from a page on ${JSON.stringify(origin)} (403): dev accepts only its own origin and clients that send none; to let that page connect, restart with --allow-origin ${origin}`);
            }
            return reject(socket, 403, {
                message: `Forbidden: origin ${origin} is not allowed (socket-action dev --allow-origin ${origin})`,
            });
        }
        const now = Date.now();
        this.recentConnects = this.recentConnects.filter((t) => now - t < 1000);
        if (this.recentConnects.length >= this.limits.connectionsPerSecond)
            return reject(socket, 429, { message: 'Too Many Requests' });
        this.recentConnects.push(now);
        const conn = {
            connectionId: connectionId(),
            connectedAt: now,
            lastActiveAt: now,
            sourceIp: (socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
            userAgent: req.headers['user-agent'],
            state: 'connecting',
        };
        this.connections.set(conn.connectionId, conn);
        this.handshakes.add(socket);
        let socketClosed = false;
        socket.once('close', () => {
            socketClosed = true;
            // A handshake that never completed (client gone, or refused by ws) leaves no connection behind.
            if (conn.state === 'connecting')
                this.connections.delete(conn.connectionId);
        });
        const front = this.options.front;
        conn.api = front ? { ...this.api, domainName: front.domainName(req) } : this.api;
        const target = this.options.pages ? playgroundTarget(req) : { url: req.url };
        conn.tag = target.tag;
        const request = { rawHeaders: req.rawHeaders, url: target.url };
        const event = front
            ? connectEvent(conn.api, conn, request, front.port, front.proto)
            : connectEvent(conn.api, conn, request, this.port);
        const outcome = await this.run('$connect', conn, event);
        this.handshakes.delete(socket);
        if (this.closing) {
            this.connections.delete(conn.connectionId);
            return void socket.destroy();
        }
        if (!outcome.ok) {
            this.connections.delete(conn.connectionId);
            return reject(socket, 502, { message: 'Internal server error' });
        }
        const result = normalize(outcome.result);
        if (result.statusCode < 200 || result.statusCode > 299) {
            this.connections.delete(conn.connectionId);
            return reject(socket, result.statusCode, result.body ?? '');
        }
        if (socketClosed) {
            this.connections.delete(conn.connectionId);
            return;
        }
        const protocol = Object.entries(result.headers ?? {}).find(([k]) => k.toLowerCase() === 'sec-websocket-protocol')?.[1];
        if (protocol)
            req[WS_GUID_PROTOCOL] = protocol;
        this.wss.handleUpgrade(req, socket, head, (ws) => this.onOpen(conn, ws));
    }
    onOpen(conn, ws) {
        conn.ws = ws;
        conn.state = 'open';
        this.touch(conn);
        conn.maxTimer = setTimeout(() => ws.close(1001, 'Going away'), this.limits.maxDurationMs);
        ws.on('message', (data, isBinary) => {
            if (isBinary) {
                ws.close(1003, 'Binary frames are not supported');
                return;
            }
            this.touch(conn);
            void this.onMessage(conn, data.toString());
        });
        ws.on('close', (code, reason) => void this.onClose(conn, code, reason.toString()));
        ws.on('error', () => {
            // A protocol error (e.g. a frame over the limit) closes the socket; 'close' reports its code.
        });
    }
    // ---- messages --------------------------------------------------------------------------------------------------
    /**
     * Every message goes to $default, as on the deployed API (it has no custom routes: the runtime reads the frame's
     * `route` itself), unless `routeOf` selects another; routes are one-way: what the handler returns is not sent back.
     */
    async onMessage(conn, body) {
        const routeKey = this.options.routeOf?.(body) ?? '$default';
        const event = messageEvent(conn.api ?? this.api, conn, routeKey, body);
        const outcome = await this.run(routeKey, conn, event);
        if (conn.state === 'open' && !outcome.ok) {
            const frame = {
                message: 'Internal server error',
                connectionId: conn.connectionId,
                requestId: event.requestContext.requestId,
            };
            conn.ws.send(JSON.stringify(frame));
        }
    }
    async onClose(conn, code, reason) {
        if (conn.state === 'closed')
            return;
        conn.state = 'closed';
        clearTimeout(conn.idleTimer);
        clearTimeout(conn.maxTimer);
        if (!this.options.dropDisconnect)
            await this.run('$disconnect', conn, disconnectEvent(conn.api ?? this.api, conn, code, reason));
        this.connections.delete(conn.connectionId);
    }
    touch(conn) {
        conn.lastActiveAt = Date.now();
        clearTimeout(conn.idleTimer);
        conn.idleTimer = setTimeout(() => conn.ws?.close(1001, 'Going away'), this.limits.idleTimeoutMs);
    }
    // ---- HTTP: the @connections API and everything that is not an upgrade -----------------------------------------
    async onRequest(req, res) {
        const path = pathOf(req);
        if (path !== undefined && this.options.pages && (req.method === 'GET' || req.method === 'HEAD')) {
            if (this.options.pages.answer(req, res, path))
                return;
        }
        const registry = this.options.registry;
        if (registry && path === `/${this.options.stage}/@registry/${registry.token}`)
            return this.onRegistry(req, res);
        const match = path === undefined ? null : /^\/([^/]+)\/@connections\/([^/]+)$/.exec(path);
        if (path === undefined || (!match && malformedTarget(req))) {
            await readBody(req, 0);
            return send(res, 400, { message: 'Bad Request' }, 'BadRequestException');
        }
        if (!match) {
            await readBody(req, 0);
            if (req.method === 'GET')
                return send(res, 426, { message: 'Upgrade Required: connect with a WebSocket client' });
            return send(res, 403, { message: 'Missing Authentication Token' });
        }
        const [, stage, rawId] = match;
        const id = decoded(rawId);
        if (id === undefined) {
            await readBody(req, 0);
            return send(res, 400, { message: `Invalid connectionId: ${rawId}` }, 'BadRequestException');
        }
        if (stage !== this.options.stage) {
            await readBody(req, 0);
            return send(res, 403, { message: 'Forbidden' }, 'ForbiddenException');
        }
        const conn = this.connections.get(id);
        if (req.method === 'POST') {
            const body = await readBody(req, this.limits.payloadBytes);
            if (body === 'too-large')
                return send(res, 413, { message: 'Request entity too large' }, 'PayloadTooLargeException');
            if (this.limits.postDelayMs > 0)
                await new Promise((resolve) => setTimeout(resolve, this.limits.postDelayMs));
            if (!isOpen(conn))
                return gone(res);
            // A client that does not read fills its buffer; API Gateway then answers 429 LimitExceededException.
            if (conn.ws.bufferedAmount >= this.limits.sendBufferBytes) {
                return send(res, 429, { message: 'Limit Exceeded' }, 'LimitExceededException');
            }
            conn.ws.send(body.toString('utf8'));
            this.touch(conn);
            return send(res, 200);
        }
        await readBody(req, 0);
        if (!isOpen(conn))
            return gone(res);
        if (req.method === 'GET') {
            return send(res, 200, {
                connectedAt: new Date(conn.connectedAt).toISOString(),
                identity: identityOf(conn),
                lastActiveAt: new Date(conn.lastActiveAt).toISOString(),
            });
        }
        if (req.method === 'DELETE') {
            conn.ws.close(1000);
            return send(res, 204);
        }
        return send(res, 405, { message: 'Method Not Allowed' });
    }
    /**
     * The registry's store, for the function's environments only: they alone know its path's token, and a request
     * without the registry header (which a web page cannot add without a preflight that is never answered) is refused,
     * as is anything but a POST.
     */
    async onRegistry(req, res) {
        const body = await readBody(req, REGISTRY_REQUEST_BYTES);
        if (req.method !== 'POST' || req.headers[REGISTRY_HEADER] !== '1' || body === 'too-large')
            return send(res, 403, { message: 'Forbidden' }, 'ForbiddenException');
        let request;
        try {
            request = JSON.parse(body.toString('utf8'));
        }
        catch {
            return send(res, 400, { error: { name: 'BadRequest', message: 'the registry request is not JSON' } });
        }
        return send(res, 200, await answerRegistryRequest(this.options.registry, request));
    }
}
/** The playground's tag of a handshake (PLAYGROUND_TAG), and its URL without it. */
function playgroundTarget(req) {
    const target = req.url ?? '/';
    const query = target.indexOf('?');
    if (query < 0 || !target.includes(PLAYGROUND_TAG))
        return { url: req.url };
    const params = new URLSearchParams(target.slice(query + 1));
    const tag = params.get(PLAYGROUND_TAG) ?? undefined;
    params.delete(PLAYGROUND_TAG);
    const rest = params.toString();
    return {
        url: `${target.slice(0, query)}${rest ? `?${rest}` : ''}`,
        ...(tag !== undefined && /^[A-Za-z0-9_-]{1,64}$/.test(tag) && { tag }),
    };
}
/** A registry request carries at most a 400 KB item, JSON-escaped. */
const REGISTRY_REQUEST_BYTES = 4 * 1024 * 1024;
/** The request's path, or undefined when its target is not a URL at all (`GET http://[ HTTP/1.1`). */
function pathOf(req) {
    try {
        return new URL(req.url ?? '/', 'http://local').pathname;
    }
    catch {
        return undefined;
    }
}
/** True when the path or query has malformed percent-encoding (`/dev?x=%ZZ`, `%E0%A4%A`): API Gateway answers 400. */
function malformedTarget(req) {
    const target = req.url ?? '/';
    if (!target.includes('%'))
        return false;
    const query = target.indexOf('?');
    const parts = query < 0 ? target.split('/') : [...target.slice(0, query).split('/'), ...target.slice(query + 1).split(/[&=]/)];
    return parts.some((part) => decoded(part.replaceAll('+', ' ')) === undefined);
}
// RFC 7230 token characters, for Sec-WebSocket-Protocol.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What is wrong with a WebSocket handshake (the checks `ws` makes, with its statuses), or undefined. */
function handshakeProblem(req) {
    if (req.method !== 'GET')
        return { status: 405, message: 'Invalid HTTP method' };
    if (req.headers.upgrade?.toLowerCase() !== 'websocket')
        return { status: 400, message: 'Invalid Upgrade header' };
    if (!/^[+/0-9A-Za-z]{22}==$/.test(req.headers['sec-websocket-key'] ?? ''))
        return { status: 400, message: 'Missing or invalid Sec-WebSocket-Key header' };
    const version = req.headers['sec-websocket-version'];
    if (version !== '13' && version !== '8') {
        return {
            status: 400,
            message: 'Missing or invalid Sec-WebSocket-Version header',
            headers: { 'Sec-WebSocket-Version': '13, 8' },
        };
    }
    const protocols = req.headers['sec-websocket-protocol']?.split(',').map((p) => p.trim());
    if (protocols && (protocols.some((p) => !TOKEN.test(p)) || new Set(protocols).size !== protocols.length)) {
        return { status: 400, message: 'Invalid Sec-WebSocket-Protocol header' };
    }
    return undefined;
}
/** A path segment decoded, or undefined for malformed percent-encoding (`%E0%A4%A`). */
function decoded(segment) {
    try {
        return decodeURIComponent(segment);
    }
    catch {
        return undefined;
    }
}
/** Open for API Gateway: connected, and not closing (a client's close frame makes it Gone at once). */
function isOpen(conn) {
    return !!conn && conn.state === 'open' && conn.ws?.readyState === 1;
}
/** What API Gateway makes of a function's return value (the runtime's own rule, so both sides agree). */
const normalize = (result) => toProxyResult(result);
function reject(socket, status, body, headers = {}) {
    if (socket.destroyed)
        return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const extra = Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n${extra}\r\n${text}`);
}
const answered = new WeakSet();
/**
 * Bytes Node's HTTP parser refused (bad request line, header, chunk size, Content-Length...), headers or chunk
 * extensions too large, or a client too slow: answer 400 / 431 / 413 / 408 like Node's default would, but close
 * gracefully so the client reads the answer, and never throw. Called again for the same socket when more bytes follow;
 * answered once.
 */
function onClientError(error, socket) {
    if (answered.has(socket))
        return;
    answered.add(socket);
    socket.on('error', () => socket.destroy());
    const inFlight = socket._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent)
        return void socket.destroy();
    const statuses = {
        HPE_HEADER_OVERFLOW: 431,
        HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
        ERR_HTTP_REQUEST_TIMEOUT: 408,
    };
    const status = statuses[error.code ?? ''] ?? 400;
    const text = JSON.stringify({ message: STATUS_CODES[status] });
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
    // Whatever the client still sends is dropped; a client that never closes its side is cut off.
    setTimeout(() => socket.destroy(), 2000).unref();
}
function send(res, status, body, errorType) {
    const headers = {};
    if (errorType)
        headers['x-amzn-ErrorType'] = errorType;
    if (body === undefined) {
        res.writeHead(status, headers).end();
        return;
    }
    const text = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
    res.writeHead(status, headers).end(text);
}
function gone(res) {
    send(res, 410, { message: null }, 'GoneException');
}
/** Reads a request body up to `limit` bytes (0: read and discard); 'too-large' past it. */
async function readBody(req, limit) {
    const chunks = [];
    let size = 0;
    let tooLarge = false;
    try {
        for await (const chunk of req) {
            size += chunk.length;
            if (limit > 0 && size > limit)
                tooLarge = true;
            else if (limit > 0)
                chunks.push(chunk);
        }
    }
    catch (error) {
        throw new ClientAborted(error);
    }
    return tooLarge ? 'too-large' : Buffer.concat(chunks);
}
/** The client went away or broke the body mid-request (clientError has answered it, if it still could). */
class ClientAborted extends Error {
    constructor(cause) {
        super('the client aborted the request', { cause });
    }
}
