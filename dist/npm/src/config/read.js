// Reading serverless.yml before YAML sees it: only a regular file (a FIFO is never opened, a device never read), at
// most 1 MB (checked before reading), and UTF-8 text (a UTF-8 BOM is fine; UTF-16, UTF-32 and Latin-1 are named, with
// the fix). Whatever is wrong is a ReadProblem: a message for the file's line (1 unless said).
import { constants as fs } from 'node:fs';
import { lstat, open, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { SNIPPET } from "./messages.js";
import { firstInvalidUtf8, lineAndColumn } from "./utf8.js";
/** The largest serverless.yml read: hundreds of times a real one, small enough to parse at once. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
export class ReadProblem extends Error {
    line;
    code;
    constructor(message, line = 1, 
    /** ENOENT: nothing is at the path (a caller may then use defaults). */
    code) {
        super(message);
        this.line = line;
        this.code = code;
    }
}
const count = (n) => n.toLocaleString('en-US');
/** The text of a serverless.yml, or a ReadProblem saying what the path is instead. */
export async function readConfigFile(absFile) {
    const base = path.basename(absFile);
    const st = await stat(absFile).catch(async (err) => {
        if (err.code !== 'ENOENT')
            throw new ReadProblem(`cannot read ${absFile}: ${err.message}`);
        // a link to nothing is no missing file: it must not count as "no serverless.yml" (zero configuration)
        const link = await lstat(absFile).catch(() => undefined);
        if (link?.isSymbolicLink())
            throw new ReadProblem(`${absFile} is a symbolic link to ${await readlink(absFile)}, which does not exist - fix the link or pass the right path`);
        throw new ReadProblem(notFound(absFile), 1, err.code);
    });
    if (!st.isFile())
        throw new ReadProblem(await notAFile(absFile, st));
    if (st.size > MAX_CONFIG_BYTES)
        throw new ReadProblem(tooLarge(base, st.size));
    // O_NONBLOCK: should the path turn into a FIFO after stat, opening it does not wait for a writer
    const handle = await open(absFile, fs.O_RDONLY | (fs.O_NONBLOCK ?? 0)).catch((err) => {
        throw new ReadProblem(`cannot read ${absFile}: ${err.message}`);
    });
    try {
        const now = await handle.stat();
        if (!now.isFile())
            throw new ReadProblem(await notAFile(absFile, now));
        // up to the limit whatever stat said: the file may have grown since, and /proc files say 0
        const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
        let length = 0;
        for (let n = 1; n > 0 && length < buf.length; length += n)
            n = (await handle.read(buf, length, buf.length - length, null)).bytesRead;
        if (length > MAX_CONFIG_BYTES)
            throw new ReadProblem(tooLarge(base, length));
        return decode(buf.subarray(0, length), base);
    }
    finally {
        await handle.close();
    }
}
const notFound = (absFile) => `file not found: ${absFile} - create it (with e.g. ${SNIPPET}) or pass the right path`;
async function notAFile(absFile, st) {
    if (st.isDirectory())
        return `${absFile} is a folder, not a file - pass the path of the serverless.yml inside it`;
    const kind = st.isFIFO()
        ? 'a named pipe (FIFO)'
        : st.isCharacterDevice() || st.isBlockDevice()
            ? 'a device'
            : st.isSocket()
                ? 'a socket'
                : 'not a regular file';
    const link = (await lstat(absFile)).isSymbolicLink() ? ` (through a symbolic link)` : '';
    return `${absFile}${link} is ${kind}, not a file: only a regular file is read as serverless.yml - pass the path of one`;
}
const tooLarge = (base, size) => `${base} is ${count(size)} bytes, over the ${count(MAX_CONFIG_BYTES)} (1 MB) a serverless.yml may be - is it the right file? Move large values (policies, env) out of it`;
const BOMS = [
    [[0x00, 0x00, 0xfe, 0xff], 'UTF-32 BE'],
    [[0xff, 0xfe, 0x00, 0x00], 'UTF-32 LE'],
    [[0xfe, 0xff], 'UTF-16 BE'],
    [[0xff, 0xfe], 'UTF-16 LE'],
];
/** The text of UTF-8 bytes (without a BOM), or a ReadProblem naming the encoding the bytes are in. */
export function decode(bytes, base) {
    for (const [bom, encoding] of BOMS) {
        if (bom.every((b, i) => bytes[i] === b)) {
            const kind = encoding.slice(0, 6);
            throw new ReadProblem(`${base} is ${encoding} (it starts with a ${kind} byte order mark): save it as UTF-8`);
        }
    }
    const nul = bytes.indexOf(0);
    if (nul >= 0) {
        const encoding = wideEncoding(bytes);
        if (encoding)
            throw new ReadProblem(`${base} is ${encoding} (without a byte order mark: it is full of NUL bytes): save it as UTF-8`);
        throw new ReadProblem(`${base} has a NUL byte at line ${lineAt(bytes, nul)}: it is not a text file - pass the path of your serverless.yml`, lineAt(bytes, nul));
    }
    const bad = firstInvalidUtf8(bytes);
    if (bad >= 0) {
        const line = lineAt(bytes, bad);
        const byte = `0x${bytes[bad].toString(16).toUpperCase().padStart(2, '0')}`;
        throw new ReadProblem(`${base} is not valid UTF-8 at line ${line} (byte ${byte}; saved as Latin-1 or Windows-1252?): save it as UTF-8`, line);
    }
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
    const cr = strayCarriageReturn(text);
    if (cr !== undefined)
        throw new ReadProblem(`line ${cr} has a carriage return (\\r) not followed by a line feed (a stray CR, or old Mac line ends) - remove it: save ${base} with LF (or CRLF) line ends`, cr);
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
}
/** UTF-16 or UTF-32 without a BOM, told by where its NUL bytes are (text mostly ASCII: every other byte NUL). */
function wideEncoding(bytes) {
    const n = Math.min(bytes.length, 4096) & ~3;
    if (n === 0)
        return undefined;
    const zeros = [0, 0, 0, 0];
    for (let i = 0; i < n; i++)
        if (bytes[i] === 0)
            zeros[i % 4]++;
    const most = (k) => zeros[k] >= (n / 4) * 0.75;
    const few = (k) => zeros[k] <= n / 4 / 4;
    if (most(1) && most(2) && most(3) && few(0))
        return 'UTF-32 LE';
    if (most(0) && most(1) && most(2) && few(3))
        return 'UTF-32 BE';
    if (most(1) && most(3) && few(0) && few(2))
        return 'UTF-16 LE';
    if (most(0) && most(2) && few(1) && few(3))
        return 'UTF-16 BE';
    return undefined;
}
const lineAt = (bytes, offset) => lineAndColumn(bytes, offset).line;
/** The line of the first carriage return that does not end a line (CRLF is fine), or undefined. */
function strayCarriageReturn(text) {
    const at = /\r(?!\n)/.exec(text)?.index;
    if (at === undefined)
        return undefined;
    let line = 1;
    for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1))
        line++;
    return line;
}
