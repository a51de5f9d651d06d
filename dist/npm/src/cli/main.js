// The `socket-action` command line: parses arguments, runs one command, turns errors into messages and exit codes.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
// Each command loads what it needs when it runs (the AWS SDK, esbuild, the gateway), so `--help` and argument errors
// answer at once: see BENCHMARKS.md (CLI start-up).
const HELP = `socket-action: ship a serverless WebSocket backend (API Gateway v2 + Lambda)

Usage:
  socket-action dev [dir] [--port 3001] [--host 127.0.0.1] [--config serverless.yml] [--stage S]
                     [--component NAME] [--drop-disconnect]
      Serve socket.js on ws://HOST:PORT/{stage} behind a local gateway that behaves like API Gateway,
      rebuilding on every change. --port 0 picks a free port. --drop-disconnect never delivers
      $disconnect (AWS delivers it only on a best-effort basis) to test how stale ids are handled.

  socket-action plan   [dir] --stage S [--region R] [--config F] [--component NAME] [--json]
      Show what deploy would change on AWS (nothing is written).
  socket-action deploy [dir] --stage S [--region R] [--config F] [--component NAME] [--json]
      Create or update the stage's IAM role, Lambda function and WebSocket API, found by their tags.
      An unchanged redeploy writes nothing. Prints the wss:// URL.
  socket-action remove [dir] --stage S [--region R] [--config F] [--component NAME] [--json]
      Delete every resource tagged with this app, stage and repository; nothing else.

AWS credentials and region come from the standard environment and profile chain (AWS_PROFILE,
AWS_ACCESS_KEY_ID, ..., AWS_ENDPOINT_URL); serverless.yml's region applies unless --region is given.
The repository tag is GITHUB_REPOSITORY, or "local".

Options:
  -h, --help     show this help
  -v, --version  show the version
`;
function isDiagnosed(error) {
    return error instanceof Error && Array.isArray(error.diagnostics);
}
/** Prints an error for a person: diagnostics one per line, anything else as its message. */
export function reportError(error, write = (l) => console.error(l)) {
    if (isDiagnosed(error)) {
        for (const d of error.diagnostics)
            write(`${d.file}:${d.line}:${d.column}: error: ${d.message}`);
    }
    else {
        write(`error: ${error instanceof Error ? error.message : String(error)}`);
    }
}
export function configPathFor(dir, config) {
    const base = dir ?? '.';
    if (config)
        return path.isAbsolute(config) || existsSync(config) ? config : path.join(base, config);
    return path.join(base, 'serverless.yml');
}
async function dev(args) {
    const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
            port: { type: 'string', default: '3001' },
            host: { type: 'string', default: '127.0.0.1' },
            config: { type: 'string' },
            stage: { type: 'string' },
            component: { type: 'string' },
            'drop-disconnect': { type: 'boolean', default: false },
        },
    });
    if (positionals.length > 1)
        throw new Error(`dev takes one folder, got ${positionals.length}: ${positionals.join(' ')}`);
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`--port must be a port number (0-65535), got "${values.port}"`);
    const { startDev } = await import("../dev/serve.js");
    const server = await startDev({
        configFile: configPathFor(positionals[0], values.config),
        configOptional: values.config === undefined,
        port,
        host: values.host,
        stage: values.stage,
        component: values.component,
        dropDisconnect: values['drop-disconnect'],
        watch: true,
    });
    const s = server.socket;
    console.log(`socket-action dev: ${s.app} (stage ${s.stage}, ${path.relative(process.cwd(), s.handlerFile) || s.handlerFile})`);
    console.log(`  WebSocket:    ${server.url}`);
    console.log(`  @connections: ${server.connectionsUrl}/{connectionId}`);
    console.log(`  try it:       npx wscat -c ${server.url}`);
    await new Promise((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
    });
    await server.close();
    return 0;
}
function stageArgs(args) {
    const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
            stage: { type: 'string' },
            region: { type: 'string' },
            config: { type: 'string' },
            component: { type: 'string' },
            json: { type: 'boolean', default: false },
        },
    });
    if (positionals.length > 1)
        throw new Error(`expected one folder, got ${positionals.length}: ${positionals.join(' ')}`);
    return {
        options: {
            configFile: configPathFor(positionals[0], values.config),
            configOptional: values.config === undefined,
            stage: values.stage,
            region: values.region,
            component: values.component,
            events: { log: (line) => console.error(line) },
        },
        json: values.json ?? false,
    };
}
async function plan(args) {
    const { options, json } = stageArgs(args);
    const [{ planStage }, { formatPlan, planJson }] = await Promise.all([import("../pipeline.js"), import("../engine/format.js")]);
    const { plan, desired } = await planStage(options);
    if (json)
        console.log(JSON.stringify({ stage: desired.names.stageName, region: desired.region, ...planJson(plan) }, null, 2));
    else
        console.log(`Stage "${desired.identity.stage}" of "${desired.identity.app}" in ${desired.region}:\n${formatPlan(plan)}`);
    return 0;
}
async function deploy(args) {
    const { options, json } = stageArgs(args);
    const { deployStage } = await import("../pipeline.js");
    const started = performance.now();
    const result = await deployStage({
        ...options,
        events: {
            ...options.events,
            onAction: json ? undefined : (a, ms) => console.error(`  ${a.change} ${a.resource} ${a.name} (${Math.round(ms)} ms)`),
        },
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const summary = {
        url: result.url,
        apiId: result.apiId,
        functionName: result.functionName,
        functionArn: result.functionArn,
        region: result.region,
        stage: result.stage,
        routes: result.routes,
        changed: result.changed,
        actions: result.actions.map((a) => `${a.change} ${a.resource} ${a.name}`),
    };
    if (json)
        console.log(JSON.stringify(summary, null, 2));
    else {
        console.log(result.changed ? `Deployed in ${seconds} s (${result.actions.length} changes).` : `Unchanged: nothing to do (${seconds} s).`);
        console.log(`  url:      ${result.url}`);
        console.log(`  api:      ${result.apiId}`);
        console.log(`  function: ${result.functionArn}`);
        console.log(`  routes:   ${result.routes.join(', ')}`);
    }
    return 0;
}
async function remove(args) {
    const { options, json } = stageArgs(args);
    const { removeStageOf } = await import("../pipeline.js");
    const result = await removeStageOf({ ...options, events: { ...options.events, onAction: json ? undefined : (a) => console.error(`  delete ${a.resource} ${a.name}`) } });
    if (json)
        console.log(JSON.stringify({ stage: result.identity.stage, region: result.region, found: result.found, removed: result.removed.map((a) => `${a.resource} ${a.name}`) }, null, 2));
    else
        console.log(result.found ? `Removed stage "${result.identity.stage}" (${result.removed.length} deletions).` : `Nothing to remove: no resources are tagged for stage "${result.identity.stage}" of "${result.identity.app}" (${result.identity.repo}).`);
    for (const f of result.foreign)
        console.error(`note: ${f.kind} "${f.name}" has this stage's name but not its tags; it was left alone.`);
    return 0;
}
export async function main(argv) {
    const [command, ...rest] = argv;
    try {
        switch (command) {
            case undefined:
            case '-h':
            case '--help':
            case 'help':
                console.log(HELP);
                return command === undefined ? 1 : 0;
            case '-v':
            case '--version': {
                const { createRequire } = await import('node:module');
                console.log(createRequire(import.meta.url)('../../package.json').version);
                return 0;
            }
            case 'dev':
                return await dev(rest);
            case 'plan':
                return await plan(rest);
            case 'deploy':
                return await deploy(rest);
            case 'remove':
                return await remove(rest);
            default:
                console.error(`error: unknown command "${command}"\n\n${HELP}`);
                return 2;
        }
    }
    catch (error) {
        reportError(error);
        return 1;
    }
}
