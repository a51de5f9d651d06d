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
