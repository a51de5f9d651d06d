var __rewriteRelativeImportExtension = (this && this.__rewriteRelativeImportExtension) || function (path, preserveJsx) {
    if (typeof path === "string" && /^\.\.?\//.test(path)) {
        return path.replace(/\.(tsx)$|((?:\.d)?)((?:\.[^./]+?)?)\.([cm]?)ts$/i, function (m, tsx, d, ext, cm) {
            return tsx ? preserveJsx ? ".jsx" : ".js" : d && (!ext || !cm) ? m : (d + ext + "." + cm.toLowerCase() + "js");
        });
    }
    return path;
};
// Bundles the runtime with the user's socket.js (and its npm dependencies) into one CommonJS Lambda handler.
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { formatDiagnostic } from "../config/index.js";
import { toDiagnostic } from "./explain.js";
import { guardPlugin, isInside, projectRoot } from "./guard.js";
import { codeSha256, zip } from "./zip.js";
import { inlineSourceMapComment, isDependency, restrictSourceMap } from "./sourcemap.js";
/**
 * Where runtime/ lives: beside src/ in the repository, or copied into dist/ for the Action. The bundle loads it from a
 * virtual namespace, so no machine-specific path ends up in the output.
 */
export const RUNTIME_DIR = ['../../runtime/', './runtime/']
    .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
    .find((dir) => existsSync(path.join(dir, 'lambda.ts')));
const RUNTIME_NS = 'socket-action-runtime';
const ENTRY_NAME = 'socket-action-entry.js';
/** The file name inside the zip, and so the Lambda handler `index.handler`. */
export const HANDLER_FILE = 'index.js';
export const LAMBDA_HANDLER = 'index.handler';
/** Where the bundle goes in the zip when index.js is the loader that turns source maps on before requiring it. */
export const BUNDLE_FILE = 'bundle.js';
export const SOURCE_MAP_LAYOUT = { map: 'external', scope: 'user', loader: true };
/** index.js when `loader` is on; Lambda's runtime require()s it (CommonJS: the zip has no package.json). */
const LOADER = `"use strict";\n// Maps stack traces to socket.js lines (the source map is ${BUNDLE_FILE}.map), then loads the handler.\nprocess.setSourceMapsEnabled(true);\nmodule.exports = require("./${BUNDLE_FILE}");\n`;
/**
 * index.mjs for a function with secrets (serverless.yml `secrets`): an ES module, because only an ES module's
 * top-level await holds Lambda's init phase until the secrets are read. It loads the CommonJS bundle, whose `ready`
 * reads them (runtime/secrets.ts) and only then loads socket.js, so socket.js's top-level code sees process.env.X;
 * a failure is the init's error (Lambda retries the init at the next invocation).
 */
export const SECRETS_LOADER_FILE = 'index.mjs';
const SECRETS_LOADER = `// Reads the function's secrets (SOCKET_ACTION_SECRETS) before socket.js runs, then exports the handler.
import { createRequire } from "node:module";
process.setSourceMapsEnabled(true);
const bundle = createRequire(import.meta.url)("./${BUNDLE_FILE}");
await bundle.ready;
export const handler = bundle.handler;
`;
/** The Lambda Node.js runtimes ship AWS SDK v3: keep it out of the bundle. */
export const EXTERNAL = ['@aws-sdk/*'];
/**
 * The native esbuild, loaded only when no implementation is given. The package name goes through a parameter so that
 * ncc leaves it out of dist/ (where esbuild-wasm is passed instead: a native binary cannot ship in an Action).
 */
function nativeEsbuild(name = 'esbuild') {
    return import(__rewriteRelativeImportExtension(name));
}
export class BundleError extends Error {
    diagnostics;
    constructor(diagnostics) {
        super(diagnostics.map(formatDiagnostic).join('\n'));
        this.diagnostics = diagnostics;
        this.name = 'BundleError';
    }
}
function runtimePlugin() {
    return {
        name: RUNTIME_NS,
        setup(build) {
            // `import { on } from 'socket-action'` works without installing the package.
            build.onResolve({ filter: /^socket-action$/ }, () => ({ path: 'index.ts', namespace: RUNTIME_NS }));
            build.onResolve({ filter: /^\./, namespace: RUNTIME_NS }, (args) => ({
                path: path.posix.join(path.posix.dirname(args.importer), args.path),
                namespace: RUNTIME_NS,
            }));
            build.onLoad({ filter: /.*/, namespace: RUNTIME_NS }, async (args) => ({
                contents: await readFile(path.join(RUNTIME_DIR, args.path), 'utf8'),
                loader: 'ts',
                resolveDir: RUNTIME_DIR,
            }));
        },
    };
}
/** The esbuild options for one socket.js: the runtime, then the user's file, as one CommonJS file and its source map. */
function buildOptions({ handlerFile, codeDir, root }, secrets = false) {
    const userEntry = `./${path.relative(codeDir, handlerFile).split(path.sep).join('/')}`;
    const entry = [
        `import ${JSON.stringify('socket-action')}`, // installs the global \`on\` before socket.js runs
        `export { handler } from ${JSON.stringify('socket-action-lambda')}`,
        ...(secrets
            ? [
                // socket.js is required (esbuild wraps it to run on demand) once the secrets are in process.env
                `import { loadSecrets } from ${JSON.stringify('socket-action-secrets')}`,
                `export const ready = loadSecrets().then(() => { require(${JSON.stringify(userEntry)}) })`,
            ]
            : [`import ${JSON.stringify(userEntry)}`]),
    ].join('\n');
    return {
        stdin: { contents: entry, resolveDir: codeDir, sourcefile: ENTRY_NAME, loader: 'js' },
        absWorkingDir: codeDir,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        external: EXTERNAL,
        keepNames: true,
        legalComments: 'none',
        charset: 'utf8',
        metafile: true,
        write: false,
        logLevel: 'silent',
        outfile: HANDLER_FILE,
        // Paths in the map are relative to the output (the code folder); runtime files are `socket-action-runtime:x.ts`.
        // No sourcesContent: Node.js needs only the mappings to print socket.js:LINE, and the zip stays small.
        sourcemap: 'external',
        sourcesContent: false,
        plugins: [
            runtimePlugin(),
            {
                name: 'socket-action-lambda',
                setup(build) {
                    build.onResolve({ filter: /^socket-action-lambda$/ }, () => ({ path: 'lambda.ts', namespace: RUNTIME_NS }));
                    build.onResolve({ filter: /^socket-action-secrets$/ }, () => ({ path: 'secrets.ts', namespace: RUNTIME_NS }));
                },
            },
            // Last: it sees only what the runtime's resolvers leave, the user's imports.
            guardPlugin(root, EXTERNAL),
        ],
    };
}
/**
 * The absolute paths of one build; throws if socket.js itself is a link out of the project (esbuild would read, and
 * quote in a parse error, whatever it points at).
 */
async function paths(handlerFile, codeDir) {
    const file = path.resolve(handlerFile);
    const dir = path.resolve(codeDir ?? path.dirname(file));
    const root = await projectRoot(dir);
    const real = await realpath(file).catch(() => file);
    if (!isInside(real, root)) {
        const name = path.basename(file);
        throw new BundleError([
            {
                file,
                line: 1,
                column: 1,
                message: `${name} leads outside the project (to ${real}): the handler must be inside ${root} - replace the link with the handler's source file`,
            },
        ]);
    }
    return { handlerFile: file, codeDir: dir, root };
}
export async function bundleSocket(handlerFile, options = {}) {
    const where = await paths(handlerFile, options.codeDir);
    let result;
    try {
        result = await (options.esbuild ?? (await nativeEsbuild())).build(buildOptions(where, options.secrets));
    }
    catch (error) {
        const failure = error;
        if (!Array.isArray(failure.errors))
            throw error;
        throw bundleError(failure.errors, where);
    }
    const layout = options.sourceMap ?? SOURCE_MAP_LAYOUT;
    return bundleOf(result, where, options.secrets ? { ...layout, loader: true } : layout, options.secrets);
}
/**
 * Bundles socket.js, then rebuilds incrementally whenever it or a file it imports changes (esbuild's watch mode, which
 * also notices a missing import appearing), reporting each later build, a bundle or a BundleError, to onBuild. Throws
 * like bundleSocket if the first build fails.
 */
export async function watchSocket(handlerFile, options, onBuild) {
    const where = await paths(handlerFile, options.codeDir);
    const layout = options.sourceMap ?? SOURCE_MAP_LAYOUT;
    const base = buildOptions(where);
    let first;
    const firstBuild = new Promise((resolve) => (first = resolve));
    let disposed = false;
    const report = {
        name: 'socket-action-watch',
        setup(build) {
            build.onEnd((result) => {
                if (disposed)
                    return;
                let outcome;
                try {
                    if (result.errors.length > 0)
                        throw bundleError(result.errors, where);
                    outcome = { bundle: bundleOf(result, where, layout) };
                }
                catch (error) {
                    outcome = { error };
                }
                if (first) {
                    first(outcome);
                    first = undefined;
                }
                else
                    onBuild(outcome);
            });
        },
    };
    const context = await (await nativeEsbuild()).context({ ...base, plugins: [...(base.plugins ?? []), report] });
    const dispose = async () => {
        disposed = true;
        await context.dispose();
    };
    // watch() starts with a build of its own: that is the first one.
    await context.watch();
    const initial = await firstBuild;
    if ('error' in initial) {
        await dispose();
        throw initial.error;
    }
    return { bundle: initial.bundle, dispose };
}
function bundleError(errors, where) {
    return new BundleError(errors.map((m) => toDiagnostic(m, { ...where, runtimeNamespace: RUNTIME_NS })));
}
/**
 * Whether the user's files put any code in the bundle. Tree shaking drops what has no effect when loaded, so none
 * means socket.js registers no handler: it is empty, only comments, or only declares what nothing uses. (With secrets,
 * socket.js is required on demand and esbuild's wrapper around it counts as code: an empty socket.js is not caught
 * here then, and its smoke test is what fails.)
 */
function hasUserCode(metafile) {
    return Object.values(metafile.outputs).some((o) => Object.entries(o.inputs).some(([p, i]) => i.bytesInOutput > 0 && p !== ENTRY_NAME && !p.startsWith(RUNTIME_NS)));
}
function bundleOf(result, where, layout, secrets = false) {
    const { codeDir, handlerFile } = where;
    const output = result.outputFiles?.find((f) => f.path.endsWith('.js'));
    const mapOutput = result.outputFiles?.find((f) => f.path.endsWith('.js.map'));
    if (!output || !mapOutput || !result.metafile)
        throw new Error('esbuild produced no JavaScript output or no source map');
    if (!hasUserCode(result.metafile)) {
        const name = path.basename(handlerFile);
        throw new BundleError([
            {
                file: handlerFile,
                line: 1,
                column: 1,
                message: `${name} registers no handler: it is empty, only comments, or only declares what nothing uses, so the socket would accept connections and drop every message - register one, e.g. on('message', async (data, socket) => { await socket.send(data) })`,
            },
        ]);
    }
    let map = JSON.parse(mapOutput.text);
    if (layout.scope === 'user')
        map = restrictSourceMap(map, (source) => !isDependency(source));
    const js = output.text.endsWith('\n') ? output.text : `${output.text}\n`; // 'external': esbuild adds no comment
    const code = new TextEncoder().encode(js + inlineSourceMapComment(map));
    const files = packageFiles(js, map, layout, secrets);
    const archive = zip(files);
    const inputs = Object.keys(result.metafile.inputs)
        .filter((p) => !p.includes(':') && p !== ENTRY_NAME)
        .map((p) => path.resolve(codeDir, p));
    return { code, files, zip: archive, sha256: codeSha256(archive), inputs };
}
function packageFiles(js, map, layout, secrets) {
    const name = layout.loader ? BUNDLE_FILE : HANDLER_FILE;
    const text = (s) => new TextEncoder().encode(s);
    const files = [];
    if (secrets)
        files.push({ name: SECRETS_LOADER_FILE, data: text(SECRETS_LOADER) });
    else if (layout.loader)
        files.push({ name: HANDLER_FILE, data: text(LOADER) });
    if (layout.map === 'none')
        files.push({ name, data: text(js) });
    else if (layout.map === 'inline')
        files.push({ name, data: text(js + inlineSourceMapComment(map)) });
    else {
        // The sources are relative to the map's folder, which is the bundle's: the same names as with `file: name`.
        files.push({ name, data: text(`${js}//# sourceMappingURL=${name}.map\n`) });
        files.push({ name: `${name}.map`, data: text(JSON.stringify({ ...map, file: name })) });
    }
    return files;
}
