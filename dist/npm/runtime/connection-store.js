// The connection registry's storage, as the registry (./connection-registry.ts) needs it. Two stores implement it with
// the same semantics: DynamoDB on AWS (./connection-store-dynamodb.ts), and the local gateway's shared in-memory
// store behind `socket-action dev` (src/dev/connection-store.ts, reached through ./connection-store-http.ts).
/** API Gateway closes a connection after 2 hours at the latest; the store keeps it 10 minutes longer. */
export const CONNECTION_TTL_SECONDS = 2 * 3600 + 600;
/** DynamoDB's largest item: 400 KB, counted as itemSize counts. */
export const MAX_ITEM_BYTES = 400 * 1024;
/**
 * DynamoDB's size of a connection item (names and values in UTF-8 bytes, a map's 3 bytes plus 1 per element), for the
 * 400 KB limit: both stores refuse a write that would make an item larger.
 */
export function itemSize(connection) {
    const bytes = (s) => Buffer.byteLength(s);
    // pk, sk, at, expires, v and their values; the rooms set; the attribute map.
    let size = bytes('pk') + 40 + bytes('sk') + bytes(connection.id) + bytes('at') + 21 + bytes('expires') + 21 + bytes('v') + 21;
    if (connection.rooms.length)
        size += bytes('r') + connection.rooms.reduce((n, r) => n + bytes(r) + 5, 0);
    size += bytes('a') + 3;
    for (const [name, text] of Object.entries(connection.attributes))
        size += 1 + bytes(name) + bytes(text);
    return size;
}
export class ItemTooLargeError extends RangeError {
    name = 'ItemTooLargeError';
    constructor(method, id, size) {
        super(`socket.${method}(): the attributes and rooms of connection ${id} would make its registry item ${size ? `${Math.ceil(size / 1024)} KB` : 'larger than 400 KB'}, over the 400 KB DynamoDB allows per item: keep attributes small (ids and names), and larger data in a table or S3 of your own`);
    }
}
