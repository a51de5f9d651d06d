// Runs one bundled handler in a worker thread, as a Lambda execution environment would: its own globals and env,
// the AWS SDK resolvable the way the Lambda Node.js runtime provides it (on the module search path, not in the bundle),
// one invocation at a time, and frozen between invocations.
import { Module } from 'node:module';
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
const { code, filename, sdkPaths, functionName, memoryMb, gate } = workerData;
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
            message: `Runtime exited with error: signal: killed (the function used ${Math.round(used)} MB of its ${memoryMb} MB)`,
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
let handler;
// The bundle carries its source map inline: stack traces name socket.js lines, as the deployed function's do.
process.setSourceMapsEnabled(true);
try {
    const mod = new Module(filename);
    mod.filename = filename;
    mod.paths = [...sdkPaths, ...Module._nodeModulePaths(filename.slice(0, filename.lastIndexOf('/')))];
    mod._compile(code, filename);
    handler = mod.exports.handler;
    if (typeof handler !== 'function')
        throw new TypeError(`${filename} does not export a function "handler"`);
    const oom = outOfMemory();
    if (oom) {
        parentPort.postMessage({ type: 'init-error', error: oom, fatal: true });
    }
    else {
        parentPort.postMessage({ type: 'ready' });
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
    const { id, event, deadline } = message;
    running = id;
    const context = {
        awsRequestId: event.requestContext?.requestId,
        functionName,
        functionVersion: '$LATEST',
        memoryLimitInMB: String(memoryMb),
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        callbackWaitsForEmptyEventLoop: true,
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
