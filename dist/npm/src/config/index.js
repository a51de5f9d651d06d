export { ConfigError, formatDiagnostic } from "./diagnostics.js";
export { loadConfig } from "./load.js";
export { ComponentChoiceError, pickSocket } from "./pick.js";
