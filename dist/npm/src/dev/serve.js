// `socket-action dev`: config -> bundle -> local Lambda -> local gateway, rebuilt and swapped on every change.
import { watch } from 'node:fs';
import path from 'node:path';
import { bundleSocket, HANDLER_FILE, watchSocket } from "../bundle/build.js";
import { loadConfig, pickSocket } from "../config/index.js";
import { RegistryData } from "./connection-store.js";
import { devSecretValues } from "./dotenv.js";
import { LocalGateway } from "./gateway.js";
import { LocalLambda } from "./lambda.js";
import { Playground } from "./playground.js";
function lambdaOptions(socket, options, log, connectionsEndpoint, registry, output) {
    return {
        functionName: `${socket.app}-${socket.stage}`,
        codeDir: socket.codeDir,
        handlerName: path.relative(socket.codeDir, socket.handlerFile) || path.basename(socket.handlerFile),
        region: socket.region,
        memory: socket.memory,
        timeoutMs: socket.timeout * 1000,
        env: socket.env,
        connectionsEndpoint,
        // The registry exists for every stage of dev; only a serverless.yml that asks for it gets its address, as on AWS.
        ...(socket.connections === 'registry'
            ? { registryEndpoint: `${connectionsEndpoint}/@registry/${registry.token}` }
            : {}),
        initTimeoutMs: options.initTimeoutMs,
        maxEnvironments: options.maxEnvironments,
        maxQueued: options.maxQueued,
        log,
        output,
    };
}
async function resolveSocket(options) {
    const { sockets } = await loadConfig(options.configFile, {
        env: options.env,
        stage: options.stage,
        optional: options.configOptional,
    });
    const socket = pickSocket(sockets, options.component, options.configFile);
    // serverless.yml's secrets get their values from the shell or .env, never from AWS (dotenv.ts)
    const secrets = await devSecretValues(socket, options.env ?? process.env);
    return Object.keys(secrets).length ? { ...socket, env: { ...socket.env, ...secrets } } : socket;
}
export async function startDev(options) {
    const print = options.log ?? ((line) => console.log(line));
    let socket = await resolveSocket(options);
    let lambda;
    const registry = new RegistryData();
    // The playground's page is shown what the terminal shows: the function's output per event, and dev's own lines.
    const playground = new Playground({
        listenHost: options.host ?? '127.0.0.1',
        stage: () => socket.stage,
        routes: () => lambda?.routes ?? [],
        // A connection's own item in the registry (partition `all`) lists its rooms; none without `connections: registry`.
        rooms: (id) => {
            if (socket.connections !== 'registry')
                return undefined;
            const rooms = registry.partition('all')?.items.get(id)?.rooms;
            return rooms ? [...rooms].sort() : undefined;
        },
    });
    const log = (line) => {
        print(line);
        playground.log(line);
    };
    const write = options.output ?? ((stream, text) => process[stream].write(text));
    const output = (stream, text, during) => {
        write(stream, text, during);
        playground.output(stream, text, during);
    };
    // With watch on, esbuild's watch mode rebuilds on changes to socket.js and its imports; builds wait in `rebuilding`
    // until the function is up. serverless.yml, which esbuild does not read, has a watcher of its own.
    const waiters = [];
    const settle = (r) => {
        for (const waiter of waiters.splice(0))
            waiter(r);
    };
    let started;
    let rebuilding = new Promise((resolve) => (started = resolve));
    const enqueue = (step) => {
        rebuilding = rebuilding.then(step);
    };
    const failed = (error) => {
        log(`rebuild failed, still serving the previous build:\n${error instanceof Error ? error.message : String(error)}`);
        settle({ ok: false, error });
    };
    let codeWatch;
    /** Watches next's code; each later build is swapped in while `codeWatch` is still this watch. */
    const watchCode = async (next) => {
        const watch = await watchSocket(next.handlerFile, { codeDir: next.codeDir }, (build) => enqueue(async () => {
            if (codeWatch !== watch)
                return;
            if ('error' in build)
                return failed(build.error);
            await swapIn(socket, build.bundle);
        }));
        return watch;
    };
    let bundle;
    if (options.watch) {
        codeWatch = await watchCode(socket);
        bundle = codeWatch.bundle;
    }
    else
        bundle = await bundleSocket(socket.handlerFile, { codeDir: socket.codeDir });
    // The gateway listens first: the function's environments need its address as their @connections endpoint.
    const gateway = new LocalGateway({
        registry,
        invoke: (event, timeoutMs) => lambda.invoke(event, timeoutMs),
        stage: socket.stage,
        host: options.host,
        port: options.port,
        limits: options.limits,
        dropDisconnect: options.dropDisconnect,
        // Its per-invocation lines reach the page as records (onInvocation), not as text.
        log: print,
        allowOrigins: options.allowOrigins ?? [],
        pages: playground,
        onInvocation: (record) => playground.invocation(record),
        // The Lambda stand-in compiles the bundle as index.js in the code folder (src/dev/lambda.ts).
        source: () => ({ codeDir: socket.codeDir, bundleFile: path.join(socket.codeDir, HANDLER_FILE) }),
    });
    let address;
    try {
        address = await gateway.listen();
    }
    catch (error) {
        await codeWatch?.dispose();
        playground.close();
        await gateway.close();
        throw error;
    }
    const endpoint = address.connectionsUrl.replace(/\/@connections$/, '');
    try {
        lambda = new LocalLambda(new TextDecoder().decode(bundle.code), lambdaOptions(socket, options, log, endpoint, registry, output));
        await lambda.ready();
    }
    catch (error) {
        await codeWatch?.dispose();
        playground.close();
        throw error;
    }
    /** Swaps the function to next's settings and code if either changed. */
    const swapIn = async (next, nextBundle) => {
        const settingsChanged = JSON.stringify({ ...next, defaulted: [] }) !== JSON.stringify({ ...socket, defaulted: [] });
        if (nextBundle.sha256 !== bundle.sha256 || settingsChanged) {
            await lambda.swap(new TextDecoder().decode(nextBundle.code), lambdaOptions(next, options, log, endpoint, registry, output));
            log(`reloaded ${path.relative(process.cwd(), next.handlerFile) || next.handlerFile} (${nextBundle.sha256.slice(0, 8)})`);
        }
        socket = next;
        bundle = nextBundle;
        settle({ ok: true });
    };
    /** serverless.yml changed: new settings, and a new code watch if it names another socket.js or code folder. */
    const reloadConfig = async () => {
        try {
            const next = await resolveSocket(options);
            if (next.stage !== socket.stage)
                log(`stage changed to "${next.stage}": restart socket-action dev to serve it`);
            if (next.handlerFile === socket.handlerFile && next.codeDir === socket.codeDir)
                return await swapIn(next, bundle);
            const previous = codeWatch;
            const watch = await watchCode(next);
            codeWatch = watch;
            await previous?.dispose();
            await swapIn(next, watch.bundle);
        }
        catch (error) {
            failed(error);
        }
        finally {
            watchConfig(); // an editor that saves by renaming leaves the old watcher on a file that is gone
        }
    };
    let configWatcher;
    let timer;
    let closed = false;
    const watchConfig = () => {
        configWatcher?.close();
        configWatcher = undefined;
        if (!options.watch || closed)
            return;
        try {
            configWatcher = watch(path.resolve(options.configFile), () => {
                clearTimeout(timer);
                timer = setTimeout(() => enqueue(reloadConfig), 50);
            });
        }
        catch {
            // No serverless.yml (a folder served with every default): only the code is watched.
        }
    };
    watchConfig();
    started();
    return {
        ...address,
        pageUrl: `${address.url.replace(/^ws:/, 'http:').replace(/\/[^/]*$/, '')}/`,
        registry,
        get socket() {
            return socket;
        },
        nextReload: () => new Promise((resolve) => waiters.push(resolve)),
        async close() {
            closed = true;
            clearTimeout(timer);
            configWatcher?.close();
            const watch = codeWatch;
            codeWatch = undefined;
            await watch?.dispose();
            await rebuilding;
            playground.close();
            await gateway.close();
            await lambda.close();
        },
    };
}
