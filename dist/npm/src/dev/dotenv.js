// `socket-action dev`'s local values for serverless.yml's `secrets`: the environment first, then a `.env` file beside
// serverless.yml. Never AWS: dev reads no parameter and no secret. The parser is the common .env subset, small enough
// to keep here rather than add a dependency: KEY=value lines, `export ` allowed, # comments, values unquoted (trimmed,
// a " #" starts a comment), 'single-quoted' (as is) or "double-quoted" (\n, \t, \" and \\ escapes; may span lines).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { maskValue } from "../secrets.js";
export const DOTENV_FILE = '.env';
const LINE_RE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;
/** The variables of a .env text; a line that is not KEY=value (nor blank, nor a comment) is an error at its line. */
export function parseDotenv(text, file = DOTENV_FILE) {
    const out = {};
    const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        if (/^\s*(#.*)?$/.test(line))
            continue;
        const m = LINE_RE.exec(line);
        if (!m)
            throw new Error(`${file}:${i + 1}: not a KEY=value line - write NAME=value (a letter or "_" first)`);
        const [, key, rest] = m;
        let value;
        if (rest.startsWith("'")) {
            const end = rest.indexOf("'", 1);
            if (end < 0)
                throw new Error(`${file}:${i + 1}: ${key}'s value has no closing "'"`);
            value = rest.slice(1, end);
        }
        else if (rest.startsWith('"')) {
            // may continue on the next lines, up to the closing quote that is not escaped
            let body = rest.slice(1);
            const start = i;
            let end = closingQuote(body);
            while (end < 0 && i + 1 < lines.length) {
                i++;
                body += `\n${lines[i]}`;
                end = closingQuote(body);
            }
            if (end < 0)
                throw new Error(`${file}:${start + 1}: ${key}'s value has no closing '"'`);
            value = body
                .slice(0, end)
                .replace(/\\([nrt"\\])/g, (_, c) => ({ n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' })[c]);
        }
        else
            value = rest.replace(/\s+#.*$/, '').trim();
        out[key] = value;
    }
    return out;
}
function closingQuote(s) {
    for (let i = 0; i < s.length; i++) {
        if (s[i] === '\\')
            i++;
        else if (s[i] === '"')
            return i;
    }
    return -1;
}
/**
 * Each secret's local value: `env` (the shell) first, then `.env` beside serverless.yml; masked in everything dev
 * prints. A secret with neither is an error naming it and where to put it.
 */
export async function devSecretValues(socket, env) {
    if (!socket.secrets?.length)
        return {};
    const file = path.join(path.dirname(socket.configFile), DOTENV_FILE);
    let fromFile = {};
    try {
        fromFile = parseDotenv(await readFile(file, 'utf8'), file);
    }
    catch (error) {
        if (error.code !== 'ENOENT')
            throw error;
    }
    const values = {};
    const missing = [];
    for (const { name } of socket.secrets) {
        const value = env[name] ?? fromFile[name];
        if (value === undefined)
            missing.push(name);
        else
            values[name] = value;
    }
    if (missing.length)
        throw new Error(`serverless.yml's secrets ${missing.map((n) => `"${n}"`).join(', ')} ${missing.length === 1 ? 'has' : 'have'} no local value: socket-action dev never reads AWS - set ${missing.length === 1 ? 'it' : 'them'} in the environment (${missing[0]}=... socket-action dev) or add ${missing.map((n) => `${n}=...`).join(', ')} to ${file} (keep .env out of git)`);
    for (const value of Object.values(values))
        maskValue(value);
    return values;
}
