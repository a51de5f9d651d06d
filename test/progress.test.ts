// The progress reporters on a clock the test drives: what a person sees during a long wait, on a terminal and in a log.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Clock } from '../src/progress/clock.ts'
import { lineProgress } from '../src/progress/lines.ts'
import { liveProgress } from '../src/progress/live.ts'
import { waitingFor } from '../src/progress/progress.ts'

function fakeClock(): Clock & { advance(ms: number): void; timers(): number } {
  let now = 0
  const timers = new Set<{ every: number; next: number; tick: () => void }>()
  return {
    now: () => now,
    every(ms, tick) {
      const timer = { every: ms, next: now + ms, tick }
      timers.add(timer)
      return () => timers.delete(timer)
    },
    advance(ms) {
      const until = now + ms
      for (;;) {
        const due = [...timers].filter((t) => t.next <= until).sort((a, b) => a.next - b.next)[0]
        if (!due) break
        now = due.next
        due.next += due.every
        due.tick()
      }
      now = until
    },
    timers: () => timers.size,
  }
}

const WHAT = 'function my-socket-dev to become Active'

describe('progress as plain lines (CI logs, the Action, a pipe)', () => {
  test('a wait under a second prints nothing', () => {
    const clock = fakeClock()
    const lines: string[] = []
    const end = lineProgress((l) => lines.push(l), { clock }).waitFor(WHAT)
    clock.advance(900)
    end()
    clock.advance(10_000)
    assert.deepEqual(lines, [])
    assert.equal(clock.timers(), 0, 'no timer left behind')
  })

  test('a long wait says what it waits for after a second, then at most every 5 s, and when it ended', () => {
    const clock = fakeClock()
    const lines: string[] = []
    const end = lineProgress((l) => lines.push(l), { clock }).waitFor(WHAT)
    clock.advance(12_400)
    end()
    assert.deepEqual(lines, [
      `waiting for ${WHAT}… 1 s`,
      `waiting for ${WHAT}… 6 s`,
      `waiting for ${WHAT}… 11 s`,
      `waited 12 s for ${WHAT}`,
    ])
    assert.equal(clock.timers(), 0)
  })

  test('each wait is reported on its own; ending twice is harmless', () => {
    const clock = fakeClock()
    const lines: string[] = []
    const progress = lineProgress((l) => lines.push(l), { clock })
    const first = progress.waitFor('a')
    clock.advance(500)
    const second = progress.waitFor('b')
    clock.advance(1000)
    first()
    first()
    clock.advance(1000)
    second()
    assert.deepEqual(lines, ['waiting for a… 1 s', 'waiting for b… 1 s', 'waited 2 s for a', 'waited 2 s for b'])
  })

  test('waitingFor ends the wait when the work throws', async () => {
    const clock = fakeClock()
    const lines: string[] = []
    const progress = lineProgress((l) => lines.push(l), { clock })
    await assert.rejects(
      waitingFor(progress, WHAT, async () => {
        clock.advance(2000)
        throw new Error('boom')
      }),
      /boom/,
    )
    assert.deepEqual(lines, [`waiting for ${WHAT}… 1 s`, `waited 2 s for ${WHAT}`])
    assert.equal(clock.timers(), 0)
  })
})

describe('progress as a live line (a terminal)', () => {
  const ERASE = '\r\x1b[2K'

  test('one line redrawn in place while the wait lasts, erased when it ends', () => {
    const clock = fakeClock()
    let screen = ''
    const progress = liveProgress({ write: (t) => (screen += t), columns: 120 }, { clock })
    const end = progress.waitFor(WHAT)
    clock.advance(900)
    assert.equal(screen, '', 'nothing for a short wait')
    clock.advance(3200)
    assert.equal(screen, [1, 2, 3, 4].map((s) => `${ERASE}waiting for ${WHAT}… ${s} s`).join(''))
    screen = ''
    end()
    assert.equal(screen, ERASE)
    assert.equal(clock.timers(), 0)
  })

  test('other output prints above the live line, which comes back under it', () => {
    const clock = fakeClock()
    let screen = ''
    const progress = liveProgress({ write: (t) => (screen += t), columns: 120 }, { clock })
    const end = progress.waitFor(WHAT)
    clock.advance(1000)
    screen = ''
    progress.line('  create role my-socket-dev-socket (120 ms)')
    assert.equal(screen, `${ERASE}  create role my-socket-dev-socket (120 ms)\nwaiting for ${WHAT}… 1 s`)
    end()
  })

  test('several waits show the oldest and how many more', () => {
    const clock = fakeClock()
    let screen = ''
    const progress = liveProgress({ write: (t) => (screen += t), columns: 200 }, { clock })
    const a = progress.waitFor(WHAT)
    const b = progress.waitFor('role my-socket-dev-socket to become usable by Lambda')
    clock.advance(1000)
    assert.equal(screen.split(ERASE).at(-1), `waiting for ${WHAT}… 1 s (and 1 more)`)
    a()
    assert.equal(screen.split(ERASE).at(-1), 'waiting for role my-socket-dev-socket to become usable by Lambda… 1 s')
    b()
    assert.equal(screen.split(ERASE).at(-1), '')
  })

  test('the line is cut to fit the terminal, so it can be erased', () => {
    const clock = fakeClock()
    let screen = ''
    const end = liveProgress({ write: (t) => (screen += t), columns: 40 }, { clock }).waitFor(WHAT)
    clock.advance(1000)
    assert.equal(screen.split(ERASE).at(-1), `${`waiting for ${WHAT}`.slice(0, 38)}…`)
    end()
  })
})
