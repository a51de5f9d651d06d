/** A failure worth a fresh observe-plan-apply round: something changed under us (a race, a hand edit). */
export class StaleObservation extends Error {
    name = 'StaleObservation';
}
export class ApplyError extends Error {
    action;
    done;
    name = 'ApplyError';
    constructor(action, done, cause) {
        // The adapter's errors already say what was being done; anything else gets the action named.
        super(cause instanceof Error
            ? cause.message
            : `${action.change} ${action.resource} ${action.name} failed: ${String(cause)}`, { cause });
        this.action = action;
        this.done = done;
    }
}
export async function applyPlan(actions, execute, facts, events = {}, alreadyStarted = []) {
    const done = [];
    const finished = new Set();
    const started = new Set();
    const known = new Set(actions.map((a) => a.id));
    let failure;
    const running = new Set();
    const ready = () => actions.filter((a) => !started.has(a.id) && a.after.every((d) => finished.has(d) || !known.has(d)));
    const launch = (action, early) => {
        started.add(action.id);
        events.onStart?.(action);
        const t0 = early?.startedAt ?? performance.now();
        const run = (early?.running ?? execute(action, facts)).then(() => {
            finished.add(action.id);
            done.push(action);
            events.onDone?.(action, performance.now() - t0);
        }, (error) => {
            failure ??= new ApplyError(action, done, error);
        });
        const tracked = run.finally(() => running.delete(tracked));
        running.add(tracked);
    };
    for (const early of alreadyStarted) {
        const action = actions.find((a) => a.id === early.action.id);
        if (!action)
            throw new Error(`internal: ${early.action.id} was started early but is not in the plan`);
        launch(action, early);
    }
    for (;;) {
        if (!failure)
            for (const action of ready())
                launch(action);
        if (running.size === 0)
            break;
        await Promise.race(running);
    }
    if (failure)
        throw failure;
    if (started.size !== actions.length)
        throw new Error('internal: the plan has a dependency cycle');
    return done;
}
