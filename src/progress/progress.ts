// Waits that may take a while, reported while they last. Whoever runs the engine passes a Progress in (no global
// state): the CLI draws a live line on a terminal, CI logs and the Action get plain lines now and then.

export interface Progress {
  /**
   * A wait begins; `what` completes "waiting for ...", e.g. "function my-socket-dev to become Active". It names
   * resources only: never a credential or an environment value. Call the returned function when the wait is over.
   */
  waitFor(what: string): () => void
}

/** A Progress that also prints the other lines of output, so they do not collide with a live progress line. */
export interface Reporter extends Progress {
  line(text: string): void
}

export const NO_PROGRESS: Progress = { waitFor: () => () => {} }

/** Runs `work` as a wait for `what`. */
export async function waitingFor<T>(progress: Progress | undefined, what: string, work: () => Promise<T>): Promise<T> {
  const end = (progress ?? NO_PROGRESS).waitFor(what)
  try {
    return await work()
  } finally {
    end()
  }
}

/** "waiting for function my-socket-dev to become Active… 4 s" */
export function waitingLine(what: string, elapsedMs: number): string {
  return `waiting for ${what}… ${Math.floor(elapsedMs / 1000)} s`
}

/** "waited 7 s for function my-socket-dev to become Active" */
export function waitedLine(what: string, elapsedMs: number): string {
  return `waited ${Math.round(elapsedMs / 1000)} s for ${what}`
}
