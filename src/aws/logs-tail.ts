// A stage's function logs: FilterLogEvents over the log group the engine creates (paginated), and --follow as polls of
// FilterLogEvents from the last timestamp seen (deduplicated by event id). StartLiveTail is not used: see the README's
// "socket-action logs" for why. Also the code hash of each function version, to tell which versions a local build
// of the project matches (their stack lines can be mapped with its source map). No writes.
import { FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs'
import { ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda'
import type { AwsClients } from './clients.ts'
import { explainAwsError, isNotFound } from './errors.ts'
import { StageNotFoundError } from './stage-url.ts'

export interface LogEvent {
  eventId: string
  timestamp: number
  message: string
  logStreamName: string
  /** The function version that wrote it, from Lambda's stream name `YYYY/MM/DD/[VERSION]hash`: "3", "$LATEST". */
  version?: string
}

/** `2026/12/07/[3]0123abcd` -> "3"; undefined for a stream name of another shape. */
export function versionOfStream(name: string): string | undefined {
  return /^\d{4}\/\d{2}\/\d{2}\/\[([^\]]+)\]/.exec(name)?.[1]
}

function toEvent(e: FilteredLogEvent): LogEvent {
  const logStreamName = e.logStreamName ?? ''
  const version = versionOfStream(logStreamName)
  return {
    eventId: e.eventId ?? `${logStreamName}/${e.timestamp}/${e.message}`,
    timestamp: e.timestamp ?? 0,
    message: e.message ?? '',
    logStreamName,
    ...(version ? { version } : {}),
  }
}

export interface TailOptions {
  logGroupName: string
  /** Milliseconds since the epoch: the oldest event to show. */
  startTime: number
  /** Keep polling for new events until `signal` aborts. */
  follow?: boolean
  pollMs?: number
  signal?: AbortSignal
  /** Where the stage is, for the message when its log group is missing. */
  describe: string
}

/** The events of one FilterLogEvents pass from `startTime`, every page, oldest first. */
async function readFrom(clients: AwsClients, logGroupName: string, startTime: number): Promise<LogEvent[]> {
  const events: LogEvent[] = []
  let nextToken: string | undefined
  do {
    const page = await clients.logs.send(new FilterLogEventsCommand({ logGroupName, startTime, nextToken }))
    events.push(...(page.events ?? []).map(toEvent))
    nextToken = page.nextToken
  } while (nextToken)
  // FilterLogEvents interleaves streams on AWS; sorting keeps the order when an emulator does not.
  return events.sort((a, b) => a.timestamp - b.timestamp)
}

function sleepUnless(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}

/**
 * Calls `onEvent` for each event from `startTime`, oldest first; with `follow`, then polls every `pollMs` from the last
 * timestamp seen (inclusive: an event can share it) and skips the event ids already shown, until `signal` aborts.
 */
export async function tailLogEvents(
  clients: AwsClients,
  options: TailOptions,
  onEvent: (event: LogEvent) => void,
): Promise<void> {
  const { logGroupName, follow, signal, pollMs = 1000 } = options
  let from = options.startTime
  // The ids shown at the timestamp `from`: the next poll starts there and sees them again.
  let seenAtFrom = new Set<string>()
  try {
    do {
      const events = await readFrom(clients, logGroupName, from)
      for (const event of events) {
        if (event.timestamp < from || (event.timestamp === from && seenAtFrom.has(event.eventId))) continue
        if (event.timestamp > from) {
          from = event.timestamp
          seenAtFrom = new Set()
        }
        seenAtFrom.add(event.eventId)
        onEvent(event)
      }
      if (!follow || signal?.aborted) return
      await sleepUnless(pollMs, signal)
    } while (!signal?.aborted)
  } catch (error) {
    if (isNotFound(error))
      throw new StageNotFoundError(
        `${options.describe} has no log group ${logGroupName}: the stage is not deployed there (check --stage and --region), or it was removed`,
      )
    throw explainAwsError(error, `reading the log group ${logGroupName}`)
  }
}

/** Each published version of the function and its code's SHA-256 (base64, as Lambda gives CodeSha256). */
export async function versionHashes(clients: AwsClients, FunctionName: string): Promise<Map<string, string>> {
  const hashes = new Map<string, string>()
  let Marker: string | undefined
  try {
    do {
      const page = await clients.lambda.send(new ListVersionsByFunctionCommand({ FunctionName, Marker }))
      for (const v of page.Versions ?? []) if (v.Version && v.CodeSha256) hashes.set(v.Version, v.CodeSha256)
      Marker = page.NextMarker
    } while (Marker)
  } catch (error) {
    if (isNotFound(error)) return hashes
    throw explainAwsError(error, `listing the versions of ${FunctionName}`)
  }
  return hashes
}
