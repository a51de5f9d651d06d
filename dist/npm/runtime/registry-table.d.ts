/** The function's environment variable that names the table (set by deploy when serverless.yml has `connections: registry`). */
export declare const REGISTRY_TABLE_VARIABLE = "SOCKET_ACTION_TABLE";
/**
 * Both keys are strings; items expire by `expires` (epoch seconds). The store's items use these names (its header
 * comment); test/registry-store.test.ts runs it on a table made from the engine's own CreateTable.
 */
export declare const REGISTRY_TABLE_SHAPE: {
    readonly hashKey: "pk";
    readonly rangeKey: "sk";
    readonly ttlAttribute: "expires";
};
