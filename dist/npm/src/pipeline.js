// The layers end to end: config -> bundle -> observe/plan -> apply -> result. The CLI and the Action both call these.
import { awsAdapter } from "./aws/adapter.js";
import { createClients, destroyClients } from "./aws/clients.js";
import { listStages } from "./aws/stages.js";
import { bundleSocket, LAMBDA_HANDLER } from "./bundle/build.js";
import { loadConfig, pickSocket } from "./config/index.js";
import { reconcile, removeStage } from "./engine/deploy.js";
import { desiredState } from "./engine/desired.js";
import { planDeploy } from "./engine/plan.js";
import pkg from '../package.json' with { type: 'json' };
export const VERSION = pkg.version;
async function prepare(options) {
    const env = options.env ?? process.env;
    const { sockets } = await loadConfig(options.configFile, { env, stage: options.stage, optional: options.configOptional });
    const socket = pickSocket(sockets, options.component, options.configFile);
    const region = options.region ?? socket.region;
    const identity = { app: socket.app, stage: socket.stage, repo: options.repo ?? env.GITHUB_REPOSITORY ?? 'local' };
    return { socket, identity, region, clients: createClients({ region, credentials: options.credentials }) };
}
function desiredFor(p, bundle) {
    return (observed) => desiredState({ socket: p.socket, identity: p.identity, region: p.region, account: observed.account, codeSha256: bundle.sha256, handler: LAMBDA_HANDLER, version: VERSION });
}
export async function deployStage(options) {
    const p = await prepare(options);
    try {
        const bundle = await bundleSocket(p.socket.handlerFile, { codeDir: p.socket.codeDir, esbuild: options.esbuild });
        const adapter = awsAdapter({ clients: p.clients, identity: p.identity, zip: bundle.zip, waits: options.waits, sleep: options.sleep, retryBaseMs: options.retryBaseMs, log: options.events?.log });
        const result = await reconcile(adapter, desiredFor(p, bundle), options.events);
        return { ...result, socket: p.socket };
    }
    finally {
        destroyClients(p.clients);
    }
}
export async function planStage(options) {
    const p = await prepare(options);
    try {
        const bundle = await bundleSocket(p.socket.handlerFile, { codeDir: p.socket.codeDir, esbuild: options.esbuild });
        const observed = await awsAdapter({ clients: p.clients, identity: p.identity }).observe();
        const desired = desiredFor(p, bundle)(observed);
        return { plan: planDeploy(desired, observed), desired, socket: p.socket };
    }
    finally {
        destroyClients(p.clients);
    }
}
export async function removeStageOf(options) {
    const p = await prepare(options);
    try {
        const adapter = awsAdapter({ clients: p.clients, identity: p.identity, waits: options.waits, sleep: options.sleep, retryBaseMs: options.retryBaseMs, log: options.events?.log });
        return { ...(await removeStage(adapter, p.identity, options.events)), identity: p.identity, region: p.region };
    }
    finally {
        destroyClients(p.clients);
    }
}
/** Every stage of this app and repository in the region (by tags). */
export async function listStagesOf(options) {
    const p = await prepare(options);
    try {
        return { app: p.identity.app, repo: p.identity.repo, region: p.region, stages: await listStages(p.clients, p.identity.app, p.identity.repo) };
    }
    finally {
        destroyClients(p.clients);
    }
}
