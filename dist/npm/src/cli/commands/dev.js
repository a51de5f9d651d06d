// `socket-action dev`: the local gateway, until Ctrl-C.
import path from 'node:path';
import { flag, stringValue } from "../args.js";
import { UsageError } from "../usage.js";
import { parseAllowedOrigins } from "../../dev/origins.js";
import { COMPONENT_OPTION, CONFIG_OPTION, DIR_ARGUMENT, projectOf, STAGE_OPTION, stageValue, } from "./project-options.js";
export const devCommand = {
    spec: {
        name: 'dev',
        summary: 'serve socket.js locally behind a gateway that behaves like API Gateway',
        synopsis: '[dir] [options]',
        description: `Serve socket.js on ws://HOST:PORT/{stage} behind a local gateway that behaves like API Gateway,
rebuilding on every change of socket.js, its imports or serverless.yml. No AWS account needed.

The playground, a page at http://HOST:PORT/, opens connections, sends frames and shows what comes back beside the
function's log lines. WebSockets from web pages of other origins are refused (403) unless --allow-origin names them;
clients that send no Origin (wscat, ws, servers) are always accepted.`,
        positionals: [DIR_ARGUMENT],
        options: [
            { name: 'port', value: 'N', description: 'the port; 0 picks a free one', default: '3001' },
            { name: 'host', value: 'H', description: 'the address to listen on', default: '127.0.0.1' },
            CONFIG_OPTION,
            { ...STAGE_OPTION, description: 'the stage, the first segment of the URL path' },
            COMPONENT_OPTION,
            {
                name: 'concurrency',
                value: 'N',
                description: 'most Lambda execution environments at once; module-level state is per environment, as on AWS',
                default: '10',
            },
            {
                name: 'allow-origin',
                value: 'ORIGIN',
                repeatable: true,
                description: 'also accept WebSockets from web pages of this origin (http://localhost:5173; repeatable or a comma list; * for any page)',
            },
            {
                name: 'drop-disconnect',
                description: 'never deliver $disconnect (AWS delivers it only on a best-effort basis), to test how stale ids are handled',
            },
        ],
    },
    async run(values, positionals) {
        const portText = stringValue(values, 'port') ?? '3001';
        const port = Number(portText);
        if (!/^\d+$/.test(portText) || port > 65535)
            throw new UsageError(`--port must be a port number (0-65535), got "${portText}"`, 'dev');
        const concurrencyText = stringValue(values, 'concurrency') ?? '10';
        const concurrency = Number(concurrencyText);
        if (!/^\d+$/.test(concurrencyText) || concurrency < 1 || concurrency > 1000) {
            throw new UsageError(`--concurrency must be a whole number from 1 to 1000, got "${concurrencyText}"`, 'dev');
        }
        const allowed = parseAllowedOrigins(stringValue(values, 'allow-origin') === undefined ? [] : [stringValue(values, 'allow-origin')]);
        if (typeof allowed !== 'string' && 'error' in allowed)
            throw new UsageError(allowed.error, 'dev');
        const project = projectOf(values, positionals, 'dev');
        const stage = stageValue(values, 'dev');
        // Loaded when the command runs, so --help and usage errors answer without loading the gateway and esbuild.
        const { startDev } = await import("../../dev/serve.js");
        const server = await startDev({
            ...project,
            port,
            host: stringValue(values, 'host') ?? '127.0.0.1',
            stage,
            dropDisconnect: flag(values, 'drop-disconnect'),
            maxEnvironments: concurrency,
            allowOrigins: allowed,
            watch: true,
        });
        const s = server.socket;
        console.log(`socket-action dev: ${s.app} (stage ${s.stage}, ${path.relative(process.cwd(), s.handlerFile) || s.handlerFile})`);
        console.log(`  WebSocket:    ${server.url}`);
        console.log(`  @connections: ${server.connectionsUrl}/{connectionId}`);
        if (s.connections === 'registry')
            console.log('  registry:     rooms and attributes in memory, shared by every environment');
        console.log(`  playground:   ${server.pageUrl} (open it in a browser)`);
        console.log(`  try it:       npx wscat -c ${server.url}`);
        if (allowed === '*' || allowed.length > 0)
            console.log(`  origins:      WebSockets from pages on ${allowed === '*' ? 'any origin' : allowed.join(', ')} accepted`);
        await new Promise((resolve) => {
            const stop = () => resolve();
            process.once('SIGINT', stop);
            process.once('SIGTERM', stop);
        });
        await server.close();
        return 0;
    },
};
