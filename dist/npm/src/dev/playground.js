// dev's playground: one static page (playground.html) at http://127.0.0.1:PORT/ and /{stage}, the routes socket.js
// registered as JSON, and the function's log lines per event as Server-Sent Events. Served only to requests whose
// Host names the gateway on this machine (DNS rebinding), never to other origins (no CORS headers; cross-site
// requests refused), so no other web page can read what the handlers log.
import { readFileSync } from 'node:fs';
import { ownHosts } from "./origins.js";
/** The page's size limit (README, "Playground"); test/playground.test.ts holds it to this. */
export const PLAYGROUND_MAX_BYTES = 24 * 1024;
/** Beside this module in the repository (src/dev/) and in the npm package (dist/npm/src/dev/). */
export const PLAYGROUND_FILE = new URL('./playground.html', import.meta.url);
/** Most pages streaming at once; a page that does not read is cut off past MAX_QUEUED_BYTES. */
const MAX_STREAMS = 32;
const MAX_QUEUED_BYTES = 1024 * 1024;
const HEARTBEAT_MS = 15_000;
export class Playground {
    options;
    streams = new Set();
    html;
    heartbeat;
    constructor(options) {
        this.options = options;
        this.heartbeat = setInterval(() => {
            for (const res of this.streams)
                res.write(': heartbeat\n\n');
        }, HEARTBEAT_MS);
        this.heartbeat.unref();
    }
    /** The invocation's record, as the gateway reports it. */
    invocation(record) {
        const rooms = this.options.rooms?.(record.connectionId);
        this.publish({ type: 'invoke', at: Date.now(), ...record, ...(rooms && { rooms }) });
    }
    /** What the function wrote, with the event it was running. */
    output(stream, text, during) {
        this.publish({
            type: 'output',
            at: Date.now(),
            stream,
            text,
            ...(during && { connectionId: during.connectionId, routeKey: during.routeKey }),
        });
    }
    log(text) {
        this.publish({ type: 'log', at: Date.now(), text });
    }
    publish(entry) {
        if (this.streams.size === 0)
            return;
        const data = `data: ${JSON.stringify(entry)}\n\n`;
        for (const res of this.streams) {
            if (res.writableLength > MAX_QUEUED_BYTES) {
                this.streams.delete(res);
                res.destroy();
            }
            else
                res.write(data);
        }
    }
    answer(req, res, path) {
        const stage = this.options.stage();
        const page = path === '/' || path === `/${stage}` || path === `/${stage}/`;
        const endpoint = path.startsWith('/_playground/');
        if (!page && !endpoint)
            return false;
        const hosts = ownHosts(this.options.listenHost, req.socket.localPort ?? 0);
        const host = req.headers.host?.toLowerCase();
        // Another Host (a rebound DNS name, a proxy's): the page is not served there; the gateway answers as API Gateway.
        if (!host || !hosts.has(host)) {
            if (page)
                return false;
            return refuse(res, 403, `the playground answers only on ${[...hosts].map((h) => `http://${h}`).join(', ')}`);
        }
        const origin = req.headers.origin;
        const crossSite = req.headers['sec-fetch-site'] === 'cross-site' || req.headers['sec-fetch-site'] === 'same-site';
        if (endpoint && ((origin !== undefined && !hosts.has(origin.replace(/^http:\/\//, ''))) || crossSite))
            return refuse(res, 403, 'the playground is not readable from other origins');
        if (page)
            return this.page(res, host);
        if (path === '/_playground/routes') {
            const routes = this.options.routes();
            return json(res, 200, { stage, url: `ws://${host}/${stage}`, routes });
        }
        if (path === '/_playground/logs')
            return this.stream(req, res);
        return refuse(res, 404, `no such playground endpoint: ${path}`);
    }
    page(res, host) {
        this.html ??= readFileSync(PLAYGROUND_FILE);
        res.writeHead(200, {
            'Content-Type': 'text/html; charset=utf-8',
            'Content-Length': this.html.length,
            'Cache-Control': 'no-store',
            'X-Content-Type-Options': 'nosniff',
            // Never framed by another page (clickjacking its buttons); its script talks only to this gateway or a ws:// URL.
            'X-Frame-Options': 'DENY',
            'Content-Security-Policy': `default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self' ws://${host} ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
            'Referrer-Policy': 'no-referrer',
        });
        res.end(this.html);
        return true;
    }
    stream(req, res) {
        if (this.streams.size >= MAX_STREAMS) {
            refuse(res, 503, `at most ${MAX_STREAMS} playground pages stream at once: close some tabs`);
            return true;
        }
        res.writeHead(200, {
            'Content-Type': 'text/event-stream; charset=utf-8',
            'Cache-Control': 'no-store',
            'X-Content-Type-Options': 'nosniff',
        });
        res.write('retry: 1000\n\n');
        if (req.method === 'HEAD') {
            res.end();
            return true;
        }
        this.streams.add(res);
        const drop = () => this.streams.delete(res);
        res.on('close', drop);
        req.socket.setTimeout(0);
        return true;
    }
    /** Ends every stream (dev is stopping: the server can close). */
    close() {
        clearInterval(this.heartbeat);
        for (const res of this.streams)
            res.end();
        this.streams.clear();
    }
}
function json(res, status, body) {
    const text = JSON.stringify(body);
    res.writeHead(status, {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
    });
    res.end(text);
    return true;
}
function refuse(res, status, message) {
    return json(res, status, { message });
}
