// Retry with full-jitter exponential backoff, for the errors AWS tells us to wait out that the SDK does not retry itself.
export const realSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export async function retry(run, options) {
    const { budgetMs = 120_000, baseMs = 250, maxDelayMs = 5_000, sleep = realSleep, random = Math.random } = options;
    let spent = 0;
    for (let attempt = 1;; attempt++) {
        try {
            return await run(attempt);
        }
        catch (error) {
            if (!options.retryable(error))
                throw error;
            const delay = Math.round(random() * Math.min(maxDelayMs, baseMs * 2 ** (attempt - 1)));
            if (spent + delay > budgetMs)
                throw error;
            options.onRetry?.(error, attempt, delay);
            spent += delay;
            await sleep(delay);
        }
    }
}
