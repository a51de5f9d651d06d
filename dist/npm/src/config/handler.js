// The socket handler a component deploys: the one socket.js (or .ts, .mjs) in its code folder.
import { stat } from 'node:fs/promises';
import path from 'node:path';
const HANDLER_FILES = ['socket.js', 'socket.ts', 'socket.mjs'];
async function statOrNull(p) {
    try {
        return await stat(p);
    }
    catch {
        return null;
    }
}
export async function hasHandler(dir) {
    for (const f of HANDLER_FILES)
        if ((await statOrNull(path.join(dir, f)))?.isFile())
            return true;
    return false;
}
/** The handler's path, or what is wrong (with the fix). `code` is the input as written, undefined when defaulted. */
export async function findHandler(codeDir, code) {
    const where = code !== undefined
        ? `code folder ${JSON.stringify(code)} (resolved to ${codeDir})`
        : `the folder of serverless.yml (${codeDir})`;
    const st = await statOrNull(codeDir);
    if (st === null) {
        return {
            problem: `code folder ${JSON.stringify(code ?? '.')} not found (resolved to ${codeDir}) - create it or fix the path (relative paths are resolved against the folder of serverless.yml)`,
        };
    }
    if (!st.isDirectory()) {
        return {
            problem: `code ${JSON.stringify(code ?? '.')} is not a folder (resolved to ${codeDir}) - point "code" at the folder that contains socket.js`,
        };
    }
    const found = [];
    for (const f of HANDLER_FILES)
        if ((await statOrNull(path.join(codeDir, f)))?.isFile())
            found.push(f);
    if (found.length === 0) {
        const fix = code !== undefined
            ? `create socket.js there, or point "code" at the folder that contains it`
            : `create socket.js next to serverless.yml, or set inputs.code to the folder that contains it`;
        return { problem: `no socket handler found in ${where}: looked for ${HANDLER_FILES.join(', ')} - ${fix}` };
    }
    if (found.length > 1)
        return { problem: `several socket handlers in ${where}: ${found.join(', ')} - keep only one of them` };
    return { file: path.join(codeDir, found[0]) };
}
/** The app's name when nothing names it: the folder's, made a valid name. */
export function appFromFolder(folder) {
    const s = folder
        .replace(/[^A-Za-z0-9_-]+/g, '-')
        .replace(/^[^A-Za-z0-9]+/, '')
        .slice(0, 64);
    return s === '' ? 'socket' : s;
}
