// The one rule for a stage name, wherever one comes from: serverless.yml, --stage, or the Action's stage and stages inputs.

/** API Gateway's stage name pattern. */
export const STAGE_NAME = /^[A-Za-z0-9_-]{1,64}$/

export const STAGE_NAME_RULE = `API Gateway stage names may contain only letters, digits, "-" and "_" (1-64 characters)`

/** Why a stage name is invalid, or undefined if it is valid. */
export function stageNameProblem(stage: string): string | undefined {
  return STAGE_NAME.test(stage) ? undefined : STAGE_NAME_RULE
}
