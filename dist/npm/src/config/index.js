export { ConfigError, formatDiagnostic } from "./diagnostics.js";
export { loadConfig } from "./load.js";
export { pickSocket } from "./pick.js";
