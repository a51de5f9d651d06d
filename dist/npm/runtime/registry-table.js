// The contract between socket-action deploy, which makes the connection registry's table, and the runtime, which uses
// it (./connection-store-dynamodb.ts): where the function finds the table, and the table's keys and TTL attribute.
/** The function's environment variable that names the table (set by deploy when serverless.yml has `connections: registry`). */
export const REGISTRY_TABLE_VARIABLE = 'SOCKET_ACTION_TABLE';
/**
 * Both keys are strings; items expire by `expires` (epoch seconds). The store's items use these names (its header
 * comment); test/registry-store.test.ts runs it on a table made from the engine's own CreateTable.
 */
export const REGISTRY_TABLE_SHAPE = { hashKey: 'pk', rangeKey: 'sk', ttlAttribute: 'expires' };
