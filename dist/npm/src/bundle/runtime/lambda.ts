// The bundle's entry point: the global `on` must exist before the user's socket.js is evaluated.
import './global.ts'
export { handle as handler } from './handler.ts'
