// `socket-action dev`: config -> bundle -> local Lambda -> local gateway, rebuilt and swapped on every change.
import { watch } from 'node:fs';
import path from 'node:path';
import { bundleSocket, HANDLER_FILE } from "../bundle/build.js";
import { loadConfig, pickSocket } from "../config/index.js";
import { LocalGateway } from "./gateway.js";
import { LocalLambda } from "./lambda.js";
function lambdaOptions(socket, options, log, connectionsEndpoint) {
    return {
        functionName: `${socket.app}-${socket.stage}`,
        codeDir: socket.codeDir,
        handlerName: path.relative(socket.codeDir, socket.handlerFile) || path.basename(socket.handlerFile),
        region: socket.region,
        memory: socket.memory,
        timeoutMs: socket.timeout * 1000,
        env: socket.env,
        connectionsEndpoint,
        initTimeoutMs: options.initTimeoutMs,
        maxEnvironments: options.maxEnvironments,
        maxQueued: options.maxQueued,
        log,
        output: options.output,
    };
}
async function resolveSocket(options) {
    const { sockets } = await loadConfig(options.configFile, { env: options.env, stage: options.stage, optional: options.configOptional });
    return pickSocket(sockets, options.component, options.configFile);
}
export async function startDev(options) {
    const log = options.log ?? ((line) => console.log(line));
    let socket = await resolveSocket(options);
    let bundle = await bundleSocket(socket.handlerFile, { codeDir: socket.codeDir });
    // The gateway listens first: the function's environments need its address as their @connections endpoint.
    let lambda;
    const gateway = new LocalGateway({
        invoke: (event, timeoutMs) => lambda.invoke(event, timeoutMs),
        stage: socket.stage,
        host: options.host,
        port: options.port,
        limits: options.limits,
        dropDisconnect: options.dropDisconnect,
        log,
        // The Lambda stand-in compiles the bundle as index.js in the code folder (src/dev/lambda.ts).
        source: () => ({ codeDir: socket.codeDir, bundleFile: path.join(socket.codeDir, HANDLER_FILE) }),
    });
    let address;
    try {
        address = await gateway.listen();
    }
    catch (error) {
        await gateway.close();
        throw error;
    }
    const endpoint = address.connectionsUrl.replace(/\/@connections$/, '');
    lambda = new LocalLambda(new TextDecoder().decode(bundle.code), lambdaOptions(socket, options, log, endpoint));
    await lambda.ready();
    const waiters = [];
    const settle = (r) => waiters.splice(0).forEach((w) => w(r));
    const watchers = [];
    let timer;
    let rebuilding = Promise.resolve();
    const rebuild = async () => {
        try {
            const next = await resolveSocket(options);
            if (next.stage !== socket.stage)
                log(`stage changed to "${next.stage}": restart socket-action dev to serve it`);
            const nextBundle = await bundleSocket(next.handlerFile, { codeDir: next.codeDir });
            const settingsChanged = JSON.stringify({ ...next, defaulted: [] }) !== JSON.stringify({ ...socket, defaulted: [] });
            if (nextBundle.sha256 !== bundle.sha256 || settingsChanged) {
                await lambda.swap(new TextDecoder().decode(nextBundle.code), lambdaOptions(next, options, log, endpoint));
                log(`reloaded ${path.relative(process.cwd(), next.handlerFile) || next.handlerFile} (${nextBundle.sha256.slice(0, 8)})`);
            }
            socket = next;
            bundle = nextBundle;
            rewatch();
            settle({ ok: true });
        }
        catch (error) {
            log(`rebuild failed, still serving the previous build:\n${error instanceof Error ? error.message : String(error)}`);
            settle({ ok: false, error });
        }
    };
    const schedule = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
            rebuilding = rebuilding.then(rebuild);
        }, 50);
    };
    const rewatch = () => {
        if (!options.watch)
            return;
        watchers.splice(0).forEach((w) => w.close());
        for (const file of new Set([...bundle.inputs.filter((f) => !f.includes(`${path.sep}node_modules${path.sep}`)), path.resolve(options.configFile)])) {
            try {
                watchers.push(watch(file, schedule));
            }
            catch {
                // A file that vanished between build and watch: the next change of another input rebuilds.
            }
        }
    };
    rewatch();
    return {
        ...address,
        get socket() {
            return socket;
        },
        nextReload: () => new Promise((resolve) => waiters.push(resolve)),
        async close() {
            clearTimeout(timer);
            watchers.splice(0).forEach((w) => w.close());
            await rebuilding;
            await gateway.close();
            await lambda.close();
        },
    };
}
