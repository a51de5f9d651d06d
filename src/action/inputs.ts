// The Action's inputs, read and checked once, before anything else happens.
import * as core from '@actions/core'
import { permissionsBoundaryProblem } from '../config/boundary.ts'
import { domainPatternProblem } from '../config/domain-name.ts'
import { stageNameProblem } from '../config/stage-name.ts'
import { InputError, parseStages, type StageRule } from './stage-mapping.ts'
import type { Command } from './trigger.ts'

export interface ActionInputs {
  command: Command
  config: string
  /** Whether `config` was given: a named file must exist; the default may be absent (zero configuration). */
  configGiven: boolean
  workingDirectory: string
  stage?: string
  stages: StageRule[]
  awsRegion?: string
  roleToAssume?: string
  roleSessionName: string
  roleDurationSeconds: number
  /** ARN of the function role's permissions boundary; wins over serverless.yml's permissionsBoundary. */
  permissionsBoundary?: string
  /** The custom domain (`{stage}` allowed); wins over serverless.yml's domain. */
  domain?: string
  /** The Route 53 hosted zone of the domain's record; wins over serverless.yml's domain.hostedZone. */
  hostedZone?: string
  audience: string
  githubToken: string
  comment: boolean
  dryRun: boolean
  /** After live moves, connect to the URL as a client; undefined: on for every stage but pull requests'. */
  verify?: boolean
  /** Where to verify, when clients reach the stage elsewhere (a custom domain); default the stage's wss:// URL. */
  verifyUrl?: string
}

const COMMANDS: Command[] = ['auto', 'deploy', 'plan', 'remove', 'rollback', 'sweep']

/** A boolean input as the runner reads it (YAML 1.2 core: true, True, TRUE, false, False, FALSE); empty is the default. */
function flag(name: string, fallback: boolean): boolean {
  const value = core.getInput(name)
  if (value === '') return fallback
  try {
    return core.getBooleanInput(name)
  } catch {
    throw new InputError(`input "${name}" must be true or false (or True, TRUE, False, FALSE), got "${value}"`)
  }
}

function permissionsBoundary(): string | undefined {
  const arn = core.getInput('permissions-boundary').trim()
  if (arn === '') return undefined
  const problem = permissionsBoundaryProblem(arn)
  if (problem) throw new InputError(`input "permissions-boundary" ${problem}`)
  return arn
}

function domainInput(): string | undefined {
  const name = core.getInput('domain').trim()
  if (name === '') return undefined
  const problem = domainPatternProblem(name)
  if (problem) throw new InputError(`input "domain" ${problem}`)
  return name
}

/** auto (the default) is decided per stage by the caller: every stage but pull requests'. */
function verifyInput(): boolean | undefined {
  const value = core.getInput('verify').trim()
  if (value === '' || value === 'auto') return undefined
  try {
    return core.getBooleanInput('verify')
  } catch {
    throw new InputError(`input "verify" must be auto, true or false, got "${value}"`)
  }
}

function verifyUrl(): string | undefined {
  const url = core.getInput('verify-url').trim()
  if (url === '') return undefined
  if (!/^wss?:\/\/[^\s/]+/.test(url))
    throw new InputError(`input "verify-url" must be a ws:// or wss:// URL, e.g. wss://ws.example.com, got "${url}"`)
  return url
}

export function readInputs(): ActionInputs {
  const command = (core.getInput('command').trim() || 'auto') as Command
  if (!COMMANDS.includes(command))
    throw new InputError(`input "command" must be one of ${COMMANDS.join(', ')}, got "${command}"`)
  const stage = core.getInput('stage').trim() || undefined
  const stageProblem = stage === undefined ? undefined : stageNameProblem(stage)
  if (stageProblem) throw new InputError(`input "stage" is "${stage}": ${stageProblem}`)
  return {
    command,
    config: core.getInput('config').trim() || 'serverless.yml',
    configGiven: core.getInput('config').trim() !== '',
    workingDirectory: core.getInput('working-directory').trim() || '.',
    stage,
    stages: parseStages(core.getInput('stages')),
    awsRegion: core.getInput('aws-region').trim() || undefined,
    roleToAssume: core.getInput('role-to-assume').trim() || undefined,
    roleSessionName: core.getInput('role-session-name').trim() || 'GitHubActions',
    roleDurationSeconds: Number(core.getInput('role-duration-seconds').trim() || '3600'),
    permissionsBoundary: permissionsBoundary(),
    domain: domainInput(),
    hostedZone: core.getInput('hosted-zone').trim() || undefined,
    audience: core.getInput('audience').trim() || 'sts.amazonaws.com',
    githubToken: core.getInput('github-token'),
    comment: flag('comment', true),
    dryRun: flag('dry-run', true),
    verify: verifyInput(),
    verifyUrl: verifyUrl(),
  }
}
