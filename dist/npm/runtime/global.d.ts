import { on as register } from './registry.js';
declare global {
    var on: typeof register;
}
