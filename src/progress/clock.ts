// Time for the progress reporters, injected so tests can drive it.

export interface Clock {
  now(): number
  /** Calls `tick` every `ms` until the returned function is called. Never keeps the process alive by itself. */
  every(ms: number, tick: () => void): () => void
}

export const realClock: Clock = {
  now: () => performance.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms)
    timer.unref()
    return () => clearInterval(timer)
  },
}
