// The registry behind `socket-action dev`: the local gateway keeps one store for all of its execution environments
// (src/dev/connection-store.ts), and each call is one POST to it. The store's semantics are the ones DynamoDB gives
// on AWS (./connection-store-dynamodb.ts); only the transport differs.
import http from 'node:http';
import { ItemTooLargeError } from "./connection-store.js";
/** The header every registry request carries: a browser page cannot send it without a preflight dev never answers. */
export const REGISTRY_HEADER = 'x-socket-action-registry';
const agent = new http.Agent({ keepAlive: true, maxSockets: 100 });
export class HttpConnectionStore {
    namespace;
    url;
    constructor(url, namespace = '') {
        this.namespace = namespace;
        this.url = new URL(url);
    }
    request(op, args) {
        const body = Buffer.from(JSON.stringify({ op, args, namespace: this.namespace }));
        return new Promise((resolve, reject) => {
            const req = http.request({
                agent,
                host: this.url.hostname.replace(/^\[(.*)\]$/, '$1'),
                port: this.url.port,
                path: this.url.pathname,
                method: 'POST',
                headers: { 'content-type': 'application/json', 'content-length': body.byteLength, [REGISTRY_HEADER]: '1' },
            }, (res) => {
                const chunks = [];
                res.on('data', (chunk) => chunks.push(chunk));
                res.on('error', reject);
                res.on('end', () => {
                    const text = Buffer.concat(chunks).toString('utf8');
                    let answer;
                    try {
                        answer = JSON.parse(text);
                    }
                    catch {
                        return reject(new Error(`socket-action dev: the registry answered ${res.statusCode}: ${text.slice(0, 200)}`));
                    }
                    if (!answer.error)
                        return resolve(answer.result);
                    const error = answer.error.name === 'ItemTooLargeError'
                        ? new ItemTooLargeError('set', '')
                        : new Error(answer.error.message);
                    error.message = answer.error.message;
                    reject(error);
                });
            });
            req.on('error', reject);
            req.end(body);
        });
    }
    register(connection) {
        return this.request('register', [connection]);
    }
    async get(id) {
        return (await this.request('get', [id])) ?? undefined;
    }
    async setAttributes(id, set, unset) {
        return (await this.request('setAttributes', [id, set, unset])) ?? undefined;
    }
    copyAttributes(id, rooms, attributes, version) {
        return this.request('copyAttributes', [id, rooms, attributes, version]);
    }
    async join(id, room) {
        // The gateway's store is atomic in its own thread: nothing to save by sending what is known.
        return (await this.request('join', [id, room])) ?? undefined;
    }
    leave(id, room) {
        return this.request('leave', [id, room]);
    }
    page(scope, options) {
        return this.request('page', [scope, options]);
    }
    remove(id, rooms, registeredBefore) {
        // JSON has no undefined: an absent bound stays absent.
        return this.request('remove', registeredBefore === undefined ? [id, rooms] : [id, rooms, registeredBefore]);
    }
}
