// Installs the global `on` that socket.js files use without importing anything (the seed's format).
import { on } from "./registry.js";
globalThis.on = on;
