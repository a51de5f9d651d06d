import { lstat, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
const HANDLER_FILES = ['socket.js', 'socket.ts', 'socket.mjs'];
async function statOrNull(p, follow = true) {
    try {
        return await (follow ? stat(p) : lstat(p));
    }
    catch {
        return null;
    }
}
/** What a file system entry that is not a regular file is, in a few words. */
function kindOf(st) {
    if (st.isDirectory())
        return 'a folder';
    if (st.isFIFO())
        return 'a FIFO (named pipe)';
    if (st.isSocket())
        return 'a Unix socket';
    if (st.isCharacterDevice() || st.isBlockDevice())
        return 'a device';
    return 'not a regular file';
}
/**
 * Why `name` in `dir` cannot be the handler and what to do, or undefined if it is a regular file, a link to one, or
 * absent. Nothing is opened: reading a FIFO would block forever.
 */
async function notAFile(dir, name) {
    const file = path.join(dir, name);
    const own = await statOrNull(file, false);
    const replace = `replace it with your handler's source file`;
    if (own === null || own.isFile())
        return undefined;
    if (!own.isSymbolicLink())
        return `${name} is ${kindOf(own)}, not a regular file - ${replace}`;
    const target = await readlink(file);
    try {
        const st = await stat(file);
        return st.isFile() ? undefined : `${name} is a symbolic link to ${target}, which is ${kindOf(st)} - ${replace}`;
    }
    catch (error) {
        if (error.code === 'ELOOP')
            return `${name} is a symbolic link to ${target}, which loops back and never reaches a file - ${replace}`;
        return `${name} is a symbolic link to ${target}, which does not exist - create ${target} (relative to the link's folder), or ${replace}`;
    }
}
/** Whether the folder has a handler, or something in a handler's place (which findHandler then explains). */
export async function hasHandler(dir) {
    for (const f of HANDLER_FILES)
        if (await statOrNull(path.join(dir, f), false))
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
    const odd = [];
    for (const f of HANDLER_FILES) {
        const problem = await notAFile(codeDir, f);
        if (problem)
            odd.push(problem);
        else if (await statOrNull(path.join(codeDir, f)))
            found.push(f);
    }
    if (found.length === 0 && odd.length > 0) {
        return {
            problem: `no socket handler in ${where}: ${odd.join('; ')}${code !== undefined ? '; or point "code" at the folder that contains it' : ''}`,
        };
    }
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
