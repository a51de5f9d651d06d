// Which stage a branch or pull request deploys to, and with which role and region.
import picomatch from 'picomatch'
import { parse } from 'yaml'
import { stageNameProblem } from '../config/stage-name.ts'

export interface StageRule {
  pattern: string
  stage?: string
  roleToAssume?: string
  awsRegion?: string
}

export interface StageTarget {
  stage: string
  roleToAssume?: string
  awsRegion?: string
}

export class InputError extends Error {
  override readonly name = 'InputError'
}

const RULE_KEYS = ['stage', 'role-to-assume', 'aws-region']

/** Parses the `stages` input: a YAML mapping of pattern -> stage name, or -> { stage, role-to-assume, aws-region }. */
export function parseStages(text: string): StageRule[] {
  if (!text.trim()) return []
  let doc: unknown
  try {
    doc = parse(text)
  } catch (error) {
    throw new InputError(`input "stages" is not valid YAML: ${(error as Error).message}`)
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new InputError('input "stages" must be a mapping of branch pattern to stage, e.g. "main: prod"')
  }
  return Object.entries(doc as Record<string, unknown>).map(([pattern, value]) => {
    if (typeof value === 'string') return { pattern, stage: checkStage(value, pattern) }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new InputError(
        `input "stages": "${pattern}" must map to a stage name or to { stage, role-to-assume, aws-region }`,
      )
    }
    const entry = value as Record<string, unknown>
    for (const key of Object.keys(entry)) {
      if (!RULE_KEYS.includes(key))
        throw new InputError(`input "stages": "${pattern}" has unknown key "${key}" (allowed: ${RULE_KEYS.join(', ')})`)
    }
    for (const key of RULE_KEYS) {
      if (entry[key] !== undefined && typeof entry[key] !== 'string')
        throw new InputError(`input "stages": "${pattern}".${key} must be a string`)
    }
    return {
      pattern,
      stage: entry.stage === undefined ? undefined : checkStage(entry.stage as string, pattern),
      roleToAssume: entry['role-to-assume'] as string | undefined,
      awsRegion: entry['aws-region'] as string | undefined,
    }
  })
}

function checkStage(stage: string, pattern: string): string {
  const problem = stageNameProblem(stage)
  if (problem)
    throw new InputError(`input "stages": "${pattern}" maps to "${stage}", which is not a valid stage name: ${problem}`)
  return stage
}

/**
 * Glob match with GitHub's branch-filter syntax (picomatch): `*` any run of characters except "/", `**` any run of
 * path segments, `?` one character, `[abc]` one of a set, `{a,b}` either, and a leading `!` for every name the rest
 * does not match. Names starting with "." match like any other.
 */
export function globMatch(pattern: string, name: string): boolean {
  return picomatch.isMatch(name, pattern, { dot: true, windows: false })
}

/** A branch name as a stage: lower case, runs of other characters as "-", at most 40 characters. */
export function branchStage(branch: string): string {
  const clean = branch
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '')
  return clean || 'branch'
}

export interface StageQuery {
  /** Pull request number, for PR events. */
  pr?: number
  branch?: string
  defaultBranch?: string
  /** serverless.yml's `stage`, if it has one. */
  configStage?: string
  /** The `stage` input. */
  explicit?: string
  rules: StageRule[]
}

/**
 * `stage` input wins; else the first rule whose pattern matches (the branch, or "pr-N" for a pull request);
 * else pr-N for a pull request, serverless.yml's stage (or prod) for the default branch, the branch's name otherwise.
 */
export function resolveStage(q: StageQuery): StageTarget {
  const subject = q.pr !== undefined ? `pr-${q.pr}` : (q.branch ?? '')
  const rule = q.rules.find((r) => globMatch(r.pattern, subject))
  const fallback =
    q.pr !== undefined
      ? `pr-${q.pr}`
      : q.branch !== undefined && q.branch === q.defaultBranch
        ? (q.configStage ?? 'prod')
        : branchStage(q.branch ?? 'branch')
  return {
    stage: q.explicit || rule?.stage || fallback,
    roleToAssume: rule?.roleToAssume,
    awsRegion: rule?.awsRegion,
  }
}
