// Stack lines from a deployed function's logs, back to the user's files: `/var/task/bundle.js:LINE:COL` through the
// version's source map to `socket.js:LINE:COL`, and a frame Node.js already mapped on Lambda (the loader turns source
// maps on, build.ts) from `/var/task/socket.js:LINE:COL` to `socket.js:LINE:COL`.
/** A frame left in one of the zip's bundle files, which only that file's map can place. */
export const BUNDLE_FRAME = /\/var\/task\/(?:bundle|index)\.js:\d+:\d+/;
import { decodeMappings, isDependency } from "./sourcemap.js";
/** A frame's location in the zip, which Lambda unpacks in /var/task (LAMBDA_TASK_ROOT). */
const FRAME = /(?:file:\/\/)?\/var\/task\/([^\s():]+):(\d+):(\d+)/g;
export function decodeSourceMap(map) {
    return { sources: map.sources, lines: decodeMappings(map.mappings) };
}
/** The source position of a 1-based generated line and column, if the map maps it into a source of the user's. */
export function originalPosition(map, line, column) {
    const segments = map.lines[line - 1] ?? [];
    let found;
    for (const segment of segments) {
        if (segment[0] > column - 1)
            break;
        found = segment;
    }
    if (!found || found.length < 4)
        return undefined;
    const source = map.sources[found[1]];
    if (source === undefined || isDependency(source))
        return undefined;
    return { source: source.replace(/^(\.\/)+/, ''), line: found[2] + 1, column: found[3] + 1 };
}
/**
 * Every `/var/task/...:LINE:COL` in `text`, mapped: through `maps[file]` when the zip has a map for that file (left as
 * it is when it has none, or the position is a dependency's), else with the task root dropped. `mapped` is called
 * with each replacement, for the caller to colour it.
 */
export function mapStackText(text, maps, mapped = (l) => l) {
    return text.replace(FRAME, (whole, file, line, column) => {
        if (file === 'bundle.js' || file === 'index.js') {
            const map = maps?.[file];
            const position = map && originalPosition(map, Number(line), Number(column));
            return position ? mapped(`${position.source}:${position.line}:${position.column}`) : whole;
        }
        return isDependency(file) ? whole : mapped(`${file}:${line}:${column}`);
    });
}
