// Waits that may take a while, reported while they last. Whoever runs the engine passes a Progress in (no global
// state): the CLI draws a live line on a terminal, CI logs and the Action get plain lines now and then.
export const NO_PROGRESS = { waitFor: () => () => { } };
/** Runs `work` as a wait for `what`. */
export async function waitingFor(progress, what, work) {
    const end = (progress ?? NO_PROGRESS).waitFor(what);
    try {
        return await work();
    }
    finally {
        end();
    }
}
/** "waiting for function my-socket-dev to become Active… 4 s" */
export function waitingLine(what, elapsedMs) {
    return `waiting for ${what}… ${Math.floor(elapsedMs / 1000)} s`;
}
/** "waited 7 s for function my-socket-dev to become Active" */
export function waitedLine(what, elapsedMs) {
    return `waited ${Math.round(elapsedMs / 1000)} s for ${what}`;
}
