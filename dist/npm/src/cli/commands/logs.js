// `socket-action logs`: the stage's function logs from CloudWatch Logs, each line tagged with the version that wrote
// it, stack lines mapped to socket.js; --follow keeps polling until Ctrl-C.
import { flag, stringValue } from "../args.js";
import { colourOn } from "../terminal.js";
import { UsageError } from "../usage.js";
import { AWS_NOTES, COMPONENT_OPTION, CONFIG_OPTION, DIR_ARGUMENT, projectOf, REGION_OPTION, regionValue, REPO_OPTION, repoValue, STAGE_OPTION, stageValue, } from "./project-options.js";
const UNITS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** `--since`: `30s`, `10m`, `2h`, `1d` before `now`, or an ISO 8601 time; milliseconds since the epoch. */
export function sinceValue(text, now = Date.now()) {
    const relative = /^(\d+)([smhd])$/.exec(text.trim());
    if (relative)
        return now - Number(relative[1]) * UNITS[relative[2]];
    // An ISO time: a date, and maybe a time with a zone (without one, JavaScript reads it as local time).
    if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) {
        const time = Date.parse(text.trim());
        if (!Number.isNaN(time)) {
            if (time > now)
                throw new UsageError(`--since "${text}" is in the future - give a time before now`, 'logs');
            return time;
        }
    }
    throw new UsageError(`--since "${text}" is neither a duration nor an ISO time - e.g. --since 30s, 10m, 2h, 1d or 2026-12-07T13:00:00Z`, 'logs');
}
const paint = (code) => (text) => `\u001b[${code}m${text}\u001b[0m`;
const same = (text) => text;
const PLAIN = { tag: same, location: same, locationInError: same, error: same };
const COLOURED = {
    tag: paint('2'),
    location: paint('1;36'),
    /** Inside a red line: back to red after it. */
    locationInError: (text) => `\u001b[1;36m${text}\u001b[0;31m`,
    error: paint('31'),
};
/** Lambda's console.error and uncaught-error lines: `<time>\t<request id>\tERROR\t...`, and the runtime's own. */
const ERROR_LINE = /\tERROR\t|^\s*at |Runtime\.\w+|Task timed out|^\s*\w*Error:/;
export const logsCommand = {
    spec: {
        name: 'logs',
        summary: "print a deployed stage's function logs, tagged by version; --follow to tail them",
        synopsis: '[dir] [options]',
        description: `Print the function logs of a deployed stage (its log group, /aws/lambda/{app}-{stage}), oldest first,
each line tagged with the version that wrote it, e.g. [v3]: every version's lines, live or not. Stack lines are
mapped to socket.js:LINE:COL. On Lambda, Node.js maps the frames in your code already; a frame left in bundle.js is
mapped with the source map of the version that logged it, read from that version's deployed zip (downloaded once,
only for a version whose lines need it). Colour on a terminal only (NO_COLOR turns it off).`,
        positionals: [DIR_ARGUMENT],
        options: [
            STAGE_OPTION,
            {
                name: 'since',
                value: 'T',
                description: 'the oldest events to show: 30s, 10m, 2h, 1d ago, or an ISO time (2026-12-07T13:00:00Z)',
                default: '10m',
            },
            { name: 'follow', short: 'f', description: 'keep printing new events (polling every second) until Ctrl-C' },
            REGION_OPTION,
            CONFIG_OPTION,
            COMPONENT_OPTION,
            REPO_OPTION,
        ],
        notes: `${AWS_NOTES}
Needs logs:FilterLogEvents on the stage's log group, and lambda:GetFunction on its function to map bundle.js frames.`,
    },
    async run(values, positionals) {
        const startTime = sinceValue(stringValue(values, 'since') ?? '10m');
        const options = {
            ...projectOf(values, positionals, 'logs'),
            stage: stageValue(values, 'logs'),
            region: regionValue(values, 'logs'),
            repo: repoValue(values, 'logs'),
        };
        const follow = flag(values, 'follow');
        const style = colourOn(process.stdout) ? COLOURED : PLAIN;
        const note = (line) => process.stderr.write(`${line}\n`);
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        const { stageLogsOf } = await import("../../pipeline.js");
        const { mapStackText } = await import("../../bundle/stack-map.js");
        try {
            await stageLogsOf({
                ...options,
                startTime,
                follow,
                signal: stop.signal,
                onEvent(event, maps) {
                    const tag = style.tag(event.version ? `[${/^\d+$/.test(event.version) ? 'v' : ''}${event.version}]` : '[?]');
                    const time = new Date(event.timestamp).toISOString();
                    event.message
                        .replace(/\n+$/, '')
                        .split('\n')
                        .forEach((line, i) => {
                        const error = ERROR_LINE.test(line);
                        const mapped = mapStackText(line, maps, error ? style.locationInError : style.location);
                        process.stdout.write(`${tag} ${i === 0 ? time : ' '.repeat(time.length)} ${error ? style.error(mapped) : mapped}\n`);
                    });
                },
                onNote(line) {
                    note(line.startsWith('note:')
                        ? line
                        : `socket-action logs: ${line}, since ${new Date(startTime).toISOString()}${follow ? ' (following; Ctrl-C to stop)' : ''}`);
                },
            });
        }
        finally {
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
        }
        return 0;
    },
};
