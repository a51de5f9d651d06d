// Time for the progress reporters, injected so tests can drive it.
export const realClock = {
    now: () => performance.now(),
    every(ms, tick) {
        const timer = setInterval(tick, ms);
        timer.unref();
        return () => clearInterval(timer);
    },
};
