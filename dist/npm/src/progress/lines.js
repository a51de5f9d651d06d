// Progress as plain lines, for CI logs, the Action and any stream that is not a terminal: a wait that lasts more
// than a second gets a line, then one every few seconds while it lasts, and one when it ends.
import { realClock } from "./clock.js";
import { waitedLine, waitingLine } from "./progress.js";
export function lineProgress(write, options = {}) {
    const { clock = realClock, firstAfterMs = 1000, everyMs = 5000 } = options;
    return {
        line: write,
        waitFor(what) {
            const started = clock.now();
            let lastPrinted;
            const stop = clock.every(250, () => {
                const elapsed = clock.now() - started;
                if (elapsed < firstAfterMs || (lastPrinted !== undefined && elapsed - lastPrinted < everyMs))
                    return;
                lastPrinted = elapsed;
                write(waitingLine(what, elapsed));
            });
            let ended = false;
            return () => {
                if (ended)
                    return;
                ended = true;
                stop();
                if (lastPrinted !== undefined)
                    write(waitedLine(what, clock.now() - started));
            };
        },
    };
}
