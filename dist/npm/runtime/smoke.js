import { encode } from "./connections.js";
import { broadcastToAll, registrySocket } from "./registry-socket.js";
/** The top-level event field that marks a smoke-test invocation (API Gateway never sends it). */
export const SMOKE_MARKER = 'socketActionSmokeTest';
/** Where a smoke test's connections are registered: apart from the stage's real ones. */
export const SMOKE_NAMESPACE = 'smoke#';
export function isSmokeTest(event) {
    return event[SMOKE_MARKER] === true;
}
/**
 * A socket whose sends go into `sent`, never to a connection; close and info answer as for a live connection. The
 * registry is the stage's own, in the smoke test's namespace, with its posts recorded too.
 */
export function smokeSocket(event, sent, registry) {
    const { connectionId, domainName, stage, connectedAt, identity } = event.requestContext;
    const record = (data, id) => {
        sent.push({ connectionId: id, data: Buffer.from(encode(data)).toString('utf8') });
    };
    return {
        id: connectionId,
        domain: domainName,
        stage,
        event,
        send: async (data, id = connectionId) => record(data, id),
        close: async () => undefined,
        info: async () => ({
            ...(connectedAt !== undefined && { connectedAt: new Date(connectedAt) }),
            lastActiveAt: new Date(),
            ...(identity && { identity }),
        }),
        broadcast: async (data, ids) => {
            if (ids === undefined)
                return broadcastToAll(registry, data);
            for (const id of new Set(ids))
                record(data, id);
            return [];
        },
        ...registrySocket(registry, (_method, _caller, start) => start()),
    };
}
