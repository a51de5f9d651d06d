// Which socket component of a serverless.yml a command works on.
import { didYouMean } from "./suggest.js";
/** --component names no component, or several exist and none was named. */
export class ComponentChoiceError extends Error {
    name = 'ComponentChoiceError';
}
/** The one socket component, or the one named; several without a name is an error that lists them. */
export function pickSocket(sockets, component, configFile) {
    if (component) {
        const found = sockets.find((s) => s.componentKey === component);
        if (!found) {
            const keys = sockets.map((s) => s.componentKey);
            const hint = didYouMean(component, keys);
            throw new ComponentChoiceError(`--component "${component}": ${configFile} has no socket component of that name - ${hint ?? `use one of ${keys.join(', ')}`}`);
        }
        return found;
    }
    if (sockets.length > 1) {
        throw new ComponentChoiceError(`${configFile} has ${sockets.length} socket components (${sockets.map((s) => s.componentKey).join(', ')}): choose one with --component NAME`);
    }
    return sockets[0];
}
