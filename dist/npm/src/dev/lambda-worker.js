var __rewriteRelativeImportExtension = (this && this.__rewriteRelativeImportExtension) || function (path, preserveJsx) {
    if (typeof path === "string" && /^\.\.?\//.test(path)) {
        return path.replace(/\.(tsx)$|((?:\.d)?)((?:\.[^./]+?)?)\.([cm]?)ts$/i, function (m, tsx, d, ext, cm) {
            return tsx ? preserveJsx ? ".jsx" : ".js" : d && (!ext || !cm) ? m : (d + ext + "." + cm.toLowerCase() + "js");
        });
    }
    return path;
};
// Runs one bundled handler in a worker thread, as a Lambda execution environment would: its own globals and env,
// the AWS SDK resolvable the way the Lambda Node.js runtime provides it (on the module search path, not in the bundle),
// one invocation at a time, and frozen between invocations.
import { existsSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
const { code, filename, sdkPaths, functionName, functionVersion, invokedFunctionArn, memoryMb, gate } = workerData;
// The parent bumps gate[0] before each invocation; between invocations this thread waits on it, so timers, unsettled
// promises and unawaited sends stop exactly as they do in a frozen Lambda environment, and go on at the next event.
const thaw = new Int32Array(gate);
let seen = Atomics.load(thaw, 0);
function freeze() {
    Atomics.wait(thaw, 0, seen);
    seen = Atomics.load(thaw, 0);
}
function serializeError(error) {
    if (error instanceof Error)
        return { name: error.name, message: error.message, stack: error.stack };
    return { name: 'Error', message: String(error) };
}
/**
 * Lambda counts all memory of the environment against `memory`; a worker's V8 heap limit alone misses Buffers and
 * ArrayBuffers (a 1 GB Buffer.alloc fits a 128 MB worker heap). This counts both.
 */
function memoryUsedMb() {
    const stats = getHeapStatistics();
    return (stats.used_heap_size + stats.external_memory) / (1024 * 1024);
}
function outOfMemory() {
    const used = memoryUsedMb();
    return used > memoryMb
        ? {
            name: 'Runtime.OutOfMemory',
            message: 'Runtime exited with error: signal: killed',
            platform: true,
            hint: `the function used ${Math.round(used)} MB of its ${memoryMb} MB`,
        }
        : undefined;
}
// What the function writes goes to the parent at once, as Lambda's runtime writes logs synchronously. A worker's own
// stdio streams wait for the parent's acknowledgement before sending more, which a frozen environment never reads:
// a log line would then appear only at the environment's next event.
for (const name of ['stdout', 'stderr']) {
    process[name].write = (chunk, encoding, callback) => {
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8');
        parentPort.postMessage({ type: 'output', stream: name, text });
        const done = typeof encoding === 'function' ? encoding : callback;
        if (typeof done === 'function')
            queueMicrotask(done);
        return true;
    };
}
// Lambda's NODE_PATH names the runtime's node_modules: the SDK resolves from any module of the code, e.g. from the
// bundle that a deployment package's index.js loader requires.
process.env.NODE_PATH = [process.env.NODE_PATH, ...sdkPaths].filter(Boolean).join(':');
Module._initPaths();
/**
 * The errors of the Lambda Node.js runtime (aws-lambda-ric) for a function that cannot be loaded. Their frames are the
 * runtime's: this file's are shown as Lambda's (/var/runtime/index.mjs), never as if in the function's code.
 */
class RuntimeError extends Error {
    constructor(name, message) {
        super(message);
        this.name = name;
        this.stack = this.stack
            .replaceAll(import.meta.url, 'file:///var/runtime/index.mjs')
            .replaceAll(fileURLToPath(import.meta.url), '/var/runtime/index.mjs');
    }
}
/** As the runtime classifies what loading the module threw: the rest is reported as thrown. */
function loadError(error) {
    if (error instanceof SyntaxError) {
        const classified = new RuntimeError('Runtime.UserCodeSyntaxError', String(error));
        classified.stack = error.stack;
        return classified;
    }
    if (error instanceof Error && error.code === 'MODULE_NOT_FOUND')
        return new RuntimeError('Runtime.ImportModuleError', String(error));
    return error;
}
/** `index.handler` -> the module's `handler` export (a dotted name is a nested property), or its default's. */
function resolveHandler(exports, handlerName, handlerString) {
    const find = (from) => handlerName
        .split('.')
        .reduce((nested, key) => (nested && typeof nested === 'object' ? nested[key] : undefined), from);
    let found = find(exports);
    if (!found && exports !== null && typeof exports === 'object' && 'default' in exports)
        found = find(exports.default);
    if (!found)
        throw new RuntimeError('Runtime.HandlerNotFound', `${handlerString} is undefined or not exported`);
    if (typeof found !== 'function')
        throw new RuntimeError('Runtime.HandlerNotFound', `${handlerString} is not a function`);
    return found;
}
/** The bundle's text, compiled as `filename` (dev: the bundle is in memory, its source map inline). */
function compileBundle() {
    const mod = new Module(filename);
    mod.filename = filename;
    mod.paths = [...sdkPaths, ...Module._nodeModulePaths(path.dirname(filename))];
    try {
        mod._compile(code, filename);
    }
    catch (error) {
        throw loadError(error);
    }
    return resolveHandler(mod.exports, 'handler', 'index.handler');
}
/**
 * A deployment package unpacked in `taskRoot`, loaded as the Lambda Node.js runtime loads `handler`: the module
 * `taskRoot/<module>` tried as is, then with .js, .mjs and .cjs, each by import() (so an ES module handler runs
 * too), then by require's resolution; then the export the handler string names.
 */
async function importHandler({ taskRoot, handler: handlerString }) {
    if (handlerString.includes('..'))
        throw new RuntimeError('Runtime.MalformedHandlerName', `'${handlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
    const base = path.basename(handlerString);
    const moduleRoot = handlerString.substring(0, handlerString.indexOf(base)).replace(/\/$/, '');
    const match = /^([^.]*)\.(.*)$/.exec(base);
    if (!match)
        throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
    const [, moduleName, handlerName] = match;
    const file = path.resolve(taskRoot, moduleRoot, moduleName);
    let exports;
    try {
        for (const extension of ['', '.js', '.mjs', '.cjs']) {
            if (!existsSync(`${file}${extension}`))
                continue;
            exports = await import(__rewriteRelativeImportExtension(pathToFileURL(`${file}${extension}`).href));
            break;
        }
        if (!exports) {
            const require = createRequire(path.join(taskRoot, 'index.js'));
            exports = require(__rewriteRelativeImportExtension(require.resolve(moduleName, { paths: [taskRoot, path.join(taskRoot, moduleRoot)] })));
        }
    }
    catch (error) {
        throw loadError(error);
    }
    return resolveHandler(exports, handlerName, handlerString);
}
let handler;
// The bundle carries its source map inline: stack traces name socket.js lines, as the deployed function's do.
process.setSourceMapsEnabled(true);
try {
    handler = typeof code === 'string' ? compileBundle() : await importHandler(code);
    const oom = outOfMemory();
    if (oom) {
        parentPort.postMessage({ type: 'init-error', error: oom, fatal: true });
    }
    else {
        // The routes socket.js registered (runtime/global.ts), for the playground's choices; none for other handlers.
        const routes = globalThis[Symbol.for('socket-action.routes')];
        parentPort.postMessage({ type: 'ready', routes: typeof routes === 'function' ? routes() : [] });
        freeze();
    }
}
catch (error) {
    parentPort.postMessage({ type: 'init-error', error: serializeError(error) });
}
let running;
// During an event, as Lambda would stop the process the moment it goes over `memory` (not only when the handler
// returns). Between events the environment is frozen, and so is this timer.
setInterval(() => {
    const oom = running !== undefined && outOfMemory();
    if (!oom)
        return;
    parentPort.postMessage({ type: 'error', id: running, error: oom, fatal: true });
    process.exit(137);
}, 50).unref();
parentPort.on('message', async (message) => {
    if (message.type !== 'invoke')
        return;
    const { id, event, deadline, requestId } = message;
    running = id;
    // The context the Lambda Node.js runtime builds: its own request id (not API Gateway's), no
    // callbackWaitsForEmptyEventLoop (the answer is the returned promise's, whatever else is still running).
    const context = {
        invokedFunctionArn,
        awsRequestId: requestId,
        getRemainingTimeInMillis: () => deadline - Date.now(),
        functionName,
        functionVersion,
        memoryLimitInMB: String(memoryMb),
        logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
        logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    };
    let reply;
    try {
        const result = await handler(event, context);
        reply = { type: 'result', id, result };
    }
    catch (error) {
        reply = { type: 'error', id, error: serializeError(error) };
    }
    running = undefined;
    const oom = outOfMemory();
    // Lambda kills an environment over its memory; the parent then starts a fresh one for the next event.
    if (oom) {
        parentPort.postMessage({ type: 'error', id, error: oom, fatal: true });
        process.exit(137); // nothing of this environment may run on, unfrozen, until the parent's terminate lands
    }
    try {
        parentPort.postMessage(reply);
    }
    catch (error) {
        // A result that cannot be cloned (a function, a socket): Lambda cannot serialize it either.
        parentPort.postMessage({
            type: 'error',
            id,
            error: {
                name: 'Runtime.MalformedResponse',
                message: `the handler returned a value that cannot be serialized: ${error.message}`,
            },
        });
    }
    freeze();
});
