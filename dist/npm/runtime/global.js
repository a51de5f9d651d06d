// Installs the global `on` that socket.js files use without importing anything (the seed's format).
import { on as register, registeredRoutes } from "./registry.js";
globalThis.on = register;
/**
 * The routes socket.js registered, for `socket-action dev`'s playground (its Lambda stand-in reads them once the bundle
 * has loaded). A symbol, not a name: nothing in user code can collide with it, and it does nothing on Lambda.
 */
Object.defineProperty(globalThis, Symbol.for('socket-action.routes'), {
    value: registeredRoutes,
    configurable: true,
});
