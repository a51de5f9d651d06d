declare global {
    var on: typeof import('./registry.js').on;
}
export {};
