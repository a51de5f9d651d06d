// Installs the global `on` that socket.js files use without importing anything (the seed's format).
import { on as register } from './registry.ts'

declare global {
  // A global property is declared with `var` (let/const would not be one).
  var on: typeof register
}

globalThis.on = register
