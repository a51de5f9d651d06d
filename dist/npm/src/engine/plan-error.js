/** What the planner refuses to do, said with what to change: no write has been sent. */
export class PlanError extends Error {
    name = 'PlanError';
}
