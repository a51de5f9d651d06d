// Where the CLI's progress and notes go: stderr, as a live line on a terminal, as plain lines anywhere else.
import { lineProgress } from "../progress/lines.js";
import { liveProgress } from "../progress/live.js";
export function stderrReporter(stream = process.stderr, env = process.env) {
    if (stream.isTTY && env.TERM !== 'dumb' && !env.CI) {
        return liveProgress({
            write: (text) => stream.write(text),
            get columns() {
                return stream.columns;
            },
        });
    }
    return lineProgress((line) => stream.write(`${line}\n`));
}
/** Whether to colour what goes to `stream`: a terminal, and neither NO_COLOR (https://no-color.org) nor TERM=dumb. */
export function colourOn(stream = process.stdout, env = process.env) {
    return !!stream.isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
}
