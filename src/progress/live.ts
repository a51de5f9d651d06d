// Progress on a terminal: one status line, redrawn in place while waits last and erased when they end. Other output
// goes through `line`, which prints above the status line.
import { realClock, type Clock } from './clock.ts'
import { waitingLine, type Reporter } from './progress.ts'

export interface StatusStream {
  write(text: string): unknown
  /** Terminal width, when known: the status line is cut to fit so it can be erased. */
  columns?: number
}

export interface LiveProgressOptions {
  clock?: Clock
  /** A wait is shown once it has lasted this long (ms). */
  firstAfterMs?: number
}

const ERASE_LINE = '\r\x1b[2K'

export function liveProgress(stream: StatusStream, options: LiveProgressOptions = {}): Reporter {
  const { clock = realClock, firstAfterMs = 1000 } = options
  const waits = new Map<number, { what: string; started: number }>()
  let nextId = 0
  let shown = ''
  let stopTicking: (() => void) | undefined

  const status = (): string => {
    const now = clock.now()
    const due = [...waits.values()].filter((w) => now - w.started >= firstAfterMs)
    if (due.length === 0) return ''
    const text =
      waitingLine(due[0]!.what, now - due[0]!.started) + (due.length > 1 ? ` (and ${due.length - 1} more)` : '')
    const width = (stream.columns ?? 80) - 1
    return text.length > width ? `${text.slice(0, width - 1)}…` : text
  }
  const draw = (text: string) => {
    if (text === shown) return
    stream.write(text ? `${ERASE_LINE}${text}` : ERASE_LINE)
    shown = text
  }

  return {
    line(text) {
      if (shown) stream.write(ERASE_LINE)
      stream.write(`${text}\n`)
      if (shown) stream.write(shown)
    },
    waitFor(what) {
      const id = nextId++
      waits.set(id, { what, started: clock.now() })
      stopTicking ??= clock.every(250, () => draw(status()))
      return () => {
        if (!waits.delete(id)) return
        if (waits.size === 0) {
          stopTicking?.()
          stopTicking = undefined
        }
        draw(status())
      }
    },
  }
}
