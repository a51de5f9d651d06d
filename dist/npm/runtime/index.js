// What TypeScript users import: `import { on } from 'socket-action'`.
import "./global.js";
export { on } from "./registry.js";
export { GoneConnectionError } from "./connections.js";
export { RegistryMissingError } from "./connection-registry.js";
export { ItemTooLargeError } from "./connection-store.js";
