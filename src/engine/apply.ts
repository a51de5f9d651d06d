// Runs a plan's actions, each as soon as everything it waits for is done, so the chain of sequential round trips is
// as short as the dependencies allow. What an action does is the adapter's business (`execute`).
import type { Action } from './model.ts'
import type { Known } from './refs.ts'

/** Ids that actions produce for later ones (the references in their params, ./refs.ts), and the API this round made. */
export interface Facts extends Known {
  /** The API this round created, as CreateApi answered: a listing right after may not show it yet. */
  createdApi?: { id: string; createdDate?: string; tags: Record<string, string> }
}

export type Execute = (action: Action, facts: Facts) => Promise<void>

/** A failure worth a fresh observe-plan-apply round: something changed under us (a race, a hand edit). */
export class StaleObservation extends Error {
  override readonly name = 'StaleObservation'
}

export interface ApplyEvents {
  onStart?: (action: Action) => void
  onDone?: (action: Action, ms: number) => void
}

/** An action of the plan already sent before the plan was made (the early code upload, ./deploy.ts). */
export interface StartedAction {
  action: Action
  running: Promise<void>
  /** performance.now() when it was sent. */
  startedAt: number
}

export class ApplyError extends Error {
  override readonly name = 'ApplyError'
  constructor(
    readonly action: Action,
    readonly done: Action[],
    cause: unknown,
  ) {
    // The adapter's errors already say what was being done; anything else gets the action named.
    super(
      cause instanceof Error
        ? cause.message
        : `${action.change} ${action.resource} ${action.name} failed: ${String(cause)}`,
      { cause },
    )
  }
}

export async function applyPlan(
  actions: Action[],
  execute: Execute,
  facts: Facts,
  events: ApplyEvents = {},
  alreadyStarted: StartedAction[] = [],
): Promise<Action[]> {
  const done: Action[] = []
  const finished = new Set<string>()
  const started = new Set<string>()
  const known = new Set(actions.map((a) => a.id))
  let failure: ApplyError | undefined
  const running = new Set<Promise<void>>()

  const ready = () =>
    actions.filter((a) => !started.has(a.id) && a.after.every((d) => finished.has(d) || !known.has(d)))
  const launch = (action: Action, early?: StartedAction) => {
    started.add(action.id)
    events.onStart?.(action)
    const t0 = early?.startedAt ?? performance.now()
    const run = (early?.running ?? execute(action, facts)).then(
      () => {
        finished.add(action.id)
        done.push(action)
        events.onDone?.(action, performance.now() - t0)
      },
      (error: unknown) => {
        failure ??= new ApplyError(action, done, error)
      },
    )
    const tracked = run.finally(() => running.delete(tracked))
    running.add(tracked)
  }

  for (const early of alreadyStarted) {
    const action = actions.find((a) => a.id === early.action.id)
    if (!action) throw new Error(`internal: ${early.action.id} was started early but is not in the plan`)
    launch(action, early)
  }
  for (;;) {
    if (!failure) for (const action of ready()) launch(action)
    if (running.size === 0) break
    await Promise.race(running)
  }
  if (failure) throw failure
  if (started.size !== actions.length) throw new Error('internal: the plan has a dependency cycle')
  return done
}
