// Installs the global `on` that socket.js files use without importing anything (the seed's format).
import { on } from './registry.ts'

declare global {
  // eslint-disable-next-line no-var
  var on: typeof import('./registry.ts').on
}

globalThis.on = on
