// esbuild's errors as diagnostics a person can act on: the file and line, what is wrong, and the fix. esbuild's own
// hints would mislead here ("mark the path as external" ships a bundle that fails on Lambda), so the common ones are
// reworded, and what esbuild quotes from a file is kept short.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { didYouMean } from "../config/suggest.js";
import { BUILTINS, nativeAddonMessage, packageOf } from "./guard.js";
/** Longest quote of a file's text a message keeps. */
const QUOTE_MAX = 40;
function shortQuotes(text) {
    return text.replace(/"((?:[^"\\]|\\.){41,})"/g, (_m, q) => `"${q.slice(0, QUOTE_MAX)}…"`);
}
function readJson(file) {
    try {
        return JSON.parse(readFileSync(file, 'utf8'));
    }
    catch {
        return undefined;
    }
}
function isFolder(p) {
    try {
        return statSync(p).isDirectory();
    }
    catch {
        return false;
    }
}
function listDir(dir) {
    try {
        return readdirSync(dir);
    }
    catch {
        return [];
    }
}
/** The packages an import could have meant: installed in node_modules up the tree, or declared in package.json. */
function knownPackages(fromDir) {
    const installed = new Set();
    const declared = new Set();
    for (let dir = fromDir;; dir = path.dirname(dir)) {
        const modules = path.join(dir, 'node_modules');
        for (const name of listDir(modules)) {
            if (name.startsWith('.'))
                continue;
            if (name.startsWith('@'))
                for (const sub of listDir(path.join(modules, name)))
                    installed.add(`${name}/${sub}`);
            else
                installed.add(name);
        }
        const pkg = readJson(path.join(dir, 'package.json'));
        for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'])
            for (const name of Object.keys(pkg?.[field] ?? {}))
                declared.add(name);
        if (path.dirname(dir) === dir)
            return { installed, declared };
    }
}
function missingPackage(spec, importerDir) {
    const pkg = packageOf(spec);
    const { installed, declared } = knownPackages(importerDir);
    if (declared.has(pkg) && !installed.has(pkg))
        return `package "${pkg}" is in package.json but not installed - run npm install (or npm ci) so it can be bundled`;
    if (installed.has(pkg))
        return `cannot resolve "${spec}": package "${pkg}" is installed but has no such file or export - check the path after the package name`;
    const hint = didYouMean(pkg, [...new Set([...installed, ...declared, ...BUILTINS])]);
    return `cannot find package "${pkg}" - ${hint ? `${hint} If not, install it` : 'install it'} next to socket.js (npm install ${pkg}) so it can be bundled`;
}
function missingFile(spec, importerDir) {
    const target = path.resolve(importerDir, spec);
    if (isFolder(target))
        return `cannot resolve "${spec}": it is a folder with no index.js (nor a package.json "main") - import a file in it`;
    const base = path.basename(target);
    const siblings = listDir(path.dirname(target)).filter((f) => !f.startsWith('.') && f !== 'node_modules');
    const withoutExtension = siblings.map((f) => f.replace(/\.(m|c)?[jt]sx?$/, ''));
    const hint = didYouMean(base, [...new Set([...siblings, ...withoutExtension])]);
    const prefix = spec.slice(0, spec.length - base.length);
    return `cannot resolve "${spec}": no such file${hint ? ` - ${hint.replace(/"([^"]+)"/, (_m, f) => `"${prefix}${f}"`)}` : ', check the path relative to this file'}`;
}
/** How esbuild's parser words what it cannot parse. */
const SYNTAX_ERROR = /^(Expected|Unexpected|Unterminated|Invalid|Syntax|Duplicate|Legacy octal)|has already been declared|reserved word|Cannot use/;
/** esbuild's message, reworded where its own hint would mislead or where the fix is known. */
function explain(message, importerFile, ownFile) {
    const importerDir = path.dirname(importerFile);
    const importer = path.basename(importerFile);
    const unresolved = /^Could not resolve "([^"]+)"/.exec(message.text);
    if (unresolved) {
        const spec = unresolved[1];
        return spec.startsWith('.') || path.isAbsolute(spec)
            ? missingFile(spec, importerDir)
            : missingPackage(spec, importerDir);
    }
    if (message.pluginName)
        return message.text; // the guard's, which says the fix
    const noLoader = /^No loader is configured for "(\.[^"]+)" files: (.+)$/.exec(message.text);
    if (noLoader?.[1] === '.node')
        return `${importer} ${nativeAddonMessage(noLoader[2])}`;
    if (noLoader) {
        return `cannot bundle ${noLoader[2]}: there is no loader for "${noLoader[1]}" files - import only JavaScript, TypeScript, JSON or text files (put data in a .json or .txt file)`;
    }
    if (/Top-level await is currently not supported/.test(message.text)) {
        return 'top-level await is not supported in the Lambda bundle (CommonJS): move the await into a handler, or keep the promise and await it inside the handler';
    }
    const hint = message.notes
        .map((n) => n.text)
        .filter(Boolean)
        .join(' ');
    const text = shortQuotes(hint ? `${message.text} (${hint})` : message.text);
    return ownFile && SYNTAX_ERROR.test(message.text)
        ? `${text} - a syntax error: fix the code here (or just before it)`
        : text;
}
export function toDiagnostic(message, where) {
    const loc = message.location;
    if (!loc)
        return { file: where.handlerFile, line: 1, column: 1, message: explain(message, where.handlerFile, false) };
    const runtime = loc.file.startsWith(where.runtimeNamespace);
    const file = runtime ? loc.file : path.resolve(where.codeDir, loc.file);
    const own = !runtime && !/(^|[\\/])node_modules[\\/]/.test(file);
    return { file, line: loc.line, column: loc.column + 1, message: explain(message, file, own) };
}
