// A stage's function logs: FilterLogEvents over the log group the engine creates (paginated), and --follow as polls of
// FilterLogEvents from the last timestamp seen (deduplicated by event id). StartLiveTail is not used: see the README's
// "socket-action init | url | logs" for why. Also a deployed version's source maps, read from its own zip
// (GetFunction's Code.Location), to map the stack frames that version logged. No writes.
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { unzipSync } from 'fflate';
import { explainAwsError, isNotFound } from "./errors.js";
import { StageNotFoundError } from "./stage-url.js";
/** `2026/12/07/[3]0123abcd` -> "3"; undefined for a stream name of another shape. */
export function versionOfStream(name) {
    return /^\d{4}\/\d{2}\/\d{2}\/\[([^\]]+)\]/.exec(name)?.[1];
}
function toEvent(e) {
    const logStreamName = e.logStreamName ?? '';
    const version = versionOfStream(logStreamName);
    return {
        eventId: e.eventId ?? `${logStreamName}/${e.timestamp}/${e.message}`,
        timestamp: e.timestamp ?? 0,
        message: e.message ?? '',
        logStreamName,
        ...(version ? { version } : {}),
    };
}
/** The events of one FilterLogEvents pass from `startTime`, every page, oldest first. */
async function readFrom(clients, logGroupName, startTime) {
    const events = [];
    let nextToken;
    do {
        const page = await clients.logs.send(new FilterLogEventsCommand({ logGroupName, startTime, nextToken }));
        events.push(...(page.events ?? []).map(toEvent));
        nextToken = page.nextToken;
    } while (nextToken);
    // FilterLogEvents interleaves streams on AWS; sorting keeps the order when an emulator does not.
    return events.sort((a, b) => a.timestamp - b.timestamp);
}
function sleepUnless(ms, signal) {
    return new Promise((resolve) => {
        if (signal?.aborted)
            return resolve();
        const timer = setTimeout(done, ms);
        function done() {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            resolve();
        }
        signal?.addEventListener('abort', done, { once: true });
    });
}
/**
 * Calls `onEvent` for each event from `startTime`, oldest first; with `follow`, then polls every `pollMs` from the last
 * timestamp seen (inclusive: an event can share it) and skips the event ids already shown, until `signal` aborts.
 */
export async function tailLogEvents(clients, options, onEvent) {
    const { logGroupName, follow, signal, pollMs = 1000 } = options;
    let from = options.startTime;
    // The ids shown at the timestamp `from`: the next poll starts there and sees them again.
    let seenAtFrom = new Set();
    try {
        do {
            const events = await readFrom(clients, logGroupName, from);
            for (const event of events) {
                if (event.timestamp < from || (event.timestamp === from && seenAtFrom.has(event.eventId)))
                    continue;
                if (event.timestamp > from) {
                    from = event.timestamp;
                    seenAtFrom = new Set();
                }
                seenAtFrom.add(event.eventId);
                await onEvent(event);
            }
            if (!follow || signal?.aborted)
                return;
            await sleepUnless(pollMs, signal);
        } while (!signal?.aborted);
    }
    catch (error) {
        if (isNotFound(error))
            throw new StageNotFoundError(`${options.describe} has no log group ${logGroupName}: the stage is not deployed there (check --stage and --region), or it was removed`);
        throw explainAwsError(error, `reading the log group ${logGroupName}`);
    }
}
/** The zip's files that can hold a bundle's map: the loader layout's bundle.js, an older layout's index.js. */
const MAPPED_FILES = /^(bundle|index)\.js(\.map)?$/;
const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;
/**
 * The source maps in one version's deployed zip, by the file they map (`bundle.js`, or `index.js` for a zip without
 * the loader): an external `<file>.map`, else a map inline in the file. Downloads the zip from GetFunction's
 * Code.Location (a presigned URL, valid for minutes).
 */
export async function deployedSourceMaps(clients, FunctionName, version) {
    let location;
    try {
        const out = await clients.lambda.send(new GetFunctionCommand({ FunctionName, Qualifier: version }));
        location = out.Code?.Location;
    }
    catch (error) {
        throw explainAwsError(error, `reading version ${version} of ${FunctionName}`);
    }
    if (!location)
        throw new Error(`GetFunction gave no code location for version ${version} of ${FunctionName}`);
    const response = await fetch(location);
    if (!response.ok)
        throw new Error(`downloading the code of version ${version} of ${FunctionName}: HTTP ${response.status}`);
    const files = unzipSync(new Uint8Array(await response.arrayBuffer()), { filter: (f) => MAPPED_FILES.test(f.name) });
    const text = (name) => (files[name] ? new TextDecoder().decode(files[name]) : undefined);
    const maps = {};
    for (const file of ['bundle.js', 'index.js']) {
        const external = text(`${file}.map`);
        const inline = external ? undefined : INLINE_MAP.exec(text(file) ?? '')?.[1];
        const json = external ?? (inline && Buffer.from(inline, 'base64').toString('utf8'));
        if (json)
            maps[file] = JSON.parse(json);
    }
    return maps;
}
