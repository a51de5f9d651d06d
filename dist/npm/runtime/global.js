// Installs the global `on` that socket.js files use without importing anything (the seed's format).
import { on as register } from "./registry.js";
globalThis.on = register;
