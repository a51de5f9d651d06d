// The Action: event -> stage -> credentials -> the engine -> comment, summary, outputs. Thin glue over the layers.
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import * as core from '@actions/core'
import { context } from '@actions/github'
import type { AwsCredentials } from '../aws/clients.ts'
import { BlockedBySmokeTest } from '../aws/writes.ts'
import { hasDiagnostics } from '../config/diagnosed.ts'
import { loadConfig, pickSocket, type SocketConfig } from '../config/index.ts'
import { checkRegion } from '../config/region-name.ts'
import { formatPlan } from '../engine/format.ts'
import { gitHub, repoOf, type GitHub, type Repo } from '../github/client.ts'
import { markerOf, upsertStickyComment } from '../github/comments.ts'
import { deactivateDeployments, recordDeployment } from '../github/deployments.ts'
import { lineProgress } from '../progress/lines.ts'
import { deployStage, planStage, removeStageOf, rollbackStageOf, type StageOptions } from '../pipeline.ts'
import { redact } from '../secrets.ts'
import { sweepClosedPullRequests } from '../sweep.ts'
import { VerifyError, verifyEndpoint } from '../verify.ts'
import { assumeRoleWithOidc } from './credentials.ts'
import { readInputs, type ActionInputs } from './inputs.ts'
import { deployedComment, failedComment, removedComment, rolledBackComment, summaryRows } from './report.ts'
import { resolveStage } from './stage-mapping.ts'
import { triggerOf, type Trigger } from './trigger.ts'

type Result = 'deployed' | 'unchanged' | 'removed' | 'rolled-back' | 'planned' | 'swept' | 'skipped'

/** serverless.yml and socket.js errors become annotations on their file and line (paths relative to the workspace). */
function annotate(error: unknown): boolean {
  if (!hasDiagnostics(error)) return false
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd()
  for (const d of error.diagnostics) {
    const file = path.relative(workspace, path.resolve(d.file))
    core.error(d.message, { title: 'socket-action', file, startLine: d.line, startColumn: d.column })
  }
  return true
}

/** Outputs are files the runner reads, not its log: masked here. */
const setOutput = (name: string, value: string) => core.setOutput(name, redact(value))

/** An error and the errors it was caused by. */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = []
  for (let e = error; e !== undefined && chain.length < 10; e = (e as { cause?: unknown } | null)?.cause) chain.push(e)
  return chain
}

function runUrl(): string | undefined {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = process.env
  return GITHUB_SERVER_URL && GITHUB_REPOSITORY && GITHUB_RUN_ID
    ? `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`
    : undefined
}

async function loadEsbuild(): Promise<StageOptions['esbuild']> {
  // The runner has no node_modules: dist/ ships esbuild-wasm, which runs anywhere Node does (no native binary).
  // It starts its service as `node ...`: make that the node running this Action, whatever PATH holds.
  process.env.PATH = `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`
  // dist/esbuild-wasm/, not dist/node_modules/: runners and `git archive` keep it, and no .gitignore rule drops it.
  const main = path.join(path.dirname(fileURLToPath(import.meta.url)), 'esbuild-wasm', 'lib', 'main.js')
  return (await import(/* webpackIgnore: true */ pathToFileURL(main).href)) as StageOptions['esbuild']
}

/** The comment is a report: failing to write it (no pull-requests: write, a GitHub outage) must not fail the job. */
async function comment(repo: Repo, on: { gh: GitHub; pr: number; marker: string }, body: string): Promise<void> {
  try {
    // The runner masks its log, not what we post: a failure's text may quote a secret.
    await upsertStickyComment(on.gh, repo, on.pr, on.marker, redact(body))
  } catch (error) {
    core.warning(`could not write the PR comment: ${(error as Error).message} (needs "pull-requests: write")`)
  }
}

async function writeSummary(title: string, rows: Array<[string, string]>): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  await core.summary
    .addHeading(title, 3)
    .addTable([
      [
        { data: '', header: true },
        { data: '', header: true },
      ],
      ...rows.map(([name, value]): [string, string] => [name, redact(value)]),
    ])
    .write()
}

export async function run(): Promise<void> {
  let inputs: ActionInputs | undefined
  let trigger: Trigger | undefined
  let stage: string | undefined
  let socket: SocketConfig | undefined
  let gh: GitHub | undefined
  const repository = process.env.GITHUB_REPOSITORY ?? `${context.repo.owner}/${context.repo.repo}`
  const repo = repoOf(repository)
  try {
    inputs = readInputs()
    trigger = triggerOf(
      { eventName: context.eventName, payload: context.payload, ref: context.ref, sha: context.sha, repository },
      inputs.command,
    )
    core.info(`socket-action: ${trigger.reason}`)
    if (trigger.command === 'skip') {
      core.notice(trigger.reason)
      setOutput('result', 'skipped' satisfies Result)
      return
    }
    if (trigger.pr?.fork) {
      core.warning(
        `pull request #${trigger.pr.number} comes from a fork (${trigger.pr.headRepo ?? 'deleted repository'}): GitHub gives fork pull requests neither an OIDC token ` +
          'nor a token that can comment, so socket-action does not deploy them. Review the change and push it to a branch of this repository to get a preview; ' +
          'do not switch to pull_request_target with untrusted code.',
      )
      setOutput('result', 'skipped' satisfies Result)
      return
    }

    // Config before credentials: a mistake is an annotation on its line, and no AWS call is made.
    const configFile = path.join(inputs.workingDirectory, inputs.config)
    // The default path may be absent: a folder with only a socket.js deploys with every default.
    const configOptional = !inputs.configGiven
    const loaded = await loadConfig(configFile, { optional: configOptional })
    socket = pickSocket(loaded.sockets, undefined, configFile)
    const target = resolveStage({
      // sweep works where the pull request stages live: the `pr-*` rule's account and region.
      pr: trigger.command === 'sweep' ? 0 : trigger.pr?.number,
      branch: trigger.branch,
      defaultBranch: trigger.defaultBranch,
      configStage: loaded.parsed.stage,
      explicit: inputs.stage,
      rules: inputs.stages,
    })
    stage = target.stage
    // A matching `stages` rule picks its own account and region over the global inputs.
    const region = target.awsRegion ?? inputs.awsRegion ?? socket.region
    // Before the first AWS call (STS for the role): a misspelt region only fails later, and obscurely.
    const regionCheck = checkRegion(region, `aws-region "${region}"`)
    if (!regionCheck.ok) throw new Error(regionCheck.problem)
    const roleToAssume = target.roleToAssume ?? inputs.roleToAssume
    if (trigger.command !== 'sweep') setOutput('stage', stage)
    setOutput('region', region)
    gh = inputs.githubToken ? gitHub(inputs.githubToken) : undefined

    let credentials: AwsCredentials | undefined
    if (roleToAssume) {
      credentials = await assumeRoleWithOidc({
        roleToAssume,
        region,
        sessionName: inputs.roleSessionName,
        durationSeconds: inputs.roleDurationSeconds,
        audience: inputs.audience,
        getIDToken: (aud) => core.getIDToken(aud),
        mask: (s) => core.setSecret(s),
        log: (l) => core.info(l),
      })
    } else core.info('no role-to-assume: using the ambient AWS credentials')

    const options: StageOptions = {
      configFile,
      configOptional,
      socket,
      stage,
      region,
      repo: repository,
      credentials,
      permissionsBoundary: inputs.permissionsBoundary,
      domain: inputs.domain,
      hostedZone: inputs.hostedZone,
      // Each new version answers $connect (and serverless.yml's smoke message) before live moves to it.
      smoke: true,
      events: { log: (l) => core.info(l) },
      progress: lineProgress((l) => core.info(l)),
    }
    const pr = trigger.pr?.number
    const commentOn =
      inputs.comment && pr !== undefined && gh ? { gh, pr, marker: markerOf(socket.app, stage) } : undefined

    switch (trigger.command) {
      case 'plan': {
        const { plan } = await core.group('Plan', async () => {
          const planned = await planStage({ ...options, esbuild: await loadEsbuild() })
          core.info(formatPlan(planned.plan))
          return planned
        })
        setOutput('changed', String(plan.actions.length > 0))
        setOutput('result', 'planned' satisfies Result)
        await writeSummary(`socket-action plan: ${stage}`, [['Changes', formatPlan(plan)]])
        return
      }
      case 'deploy': {
        // Log sections as the engine goes: the plan of each round, then what it applied.
        let open = false
        const section = (title: string) => {
          if (open) core.endGroup()
          core.startGroup(title)
          open = true
        }
        const result = await deployStage({
          ...options,
          esbuild: await loadEsbuild(),
          events: {
            ...options.events,
            onPlan: (plan, round) => {
              section(`Plan ${stage}${round > 1 ? ` (round ${round})` : ''}`)
              core.info(formatPlan(plan))
              if (plan.actions.length > 0) section(`Apply ${stage}`)
            },
            onAction: (a, ms) => core.info(`${a.change} ${a.resource} ${a.name} (${Math.round(ms)} ms)`),
          },
        }).finally(() => open && core.endGroup())
        const moved = result.actions.some((a) => a.write === 'CreateAlias' || a.write === 'UpdateAlias')
        if (moved && (inputs.verify ?? pr === undefined))
          await verifyOrRollBack(options, inputs.verifyUrl ?? result.url, result.release?.previous)
        const facts = {
          app: socket.app,
          stage,
          region,
          url: result.url,
          ...(result.domain ? { apiUrl: result.apiUrl } : {}),
          apiId: result.apiId,
          functionName: result.functionName,
          routes: result.routes,
          changed: result.changed,
          actions: result.actions,
          release: result.release,
          sha: trigger.sha,
          runUrl: runUrl(),
        }
        setOutput('url', result.url)
        setOutput('api-url', result.apiUrl)
        if (result.domain) setOutput('domain', result.domain)
        setOutput('api-id', result.apiId)
        setOutput('function-name', result.functionName)
        setOutput('function-arn', result.functionArn)
        setOutput('changed', String(result.changed))
        setOutput('result', (result.changed ? 'deployed' : 'unchanged') satisfies Result)
        core.info(`${result.changed ? 'deployed' : 'unchanged'}: ${result.url}`)
        if (commentOn) await comment(repo, commentOn, deployedComment(facts))
        if (gh && trigger.sha && result.changed) {
          const production =
            pr === undefined && trigger.branch !== undefined && trigger.branch === trigger.defaultBranch
          await recordDeployment(gh, repo, {
            ref: trigger.pr?.headSha ?? trigger.sha,
            stage,
            url: result.url,
            logUrl: runUrl(),
            transient: pr !== undefined,
            production,
          }).catch((e) =>
            core.warning(
              `could not record a GitHub deployment for ${stage}: ${(e as Error).message} (needs "deployments: write")`,
            ),
          )
        }
        await writeSummary(`socket-action: ${stage}`, summaryRows(facts))
        return
      }
      case 'remove': {
        const result = await core.group(`Remove ${stage}`, () =>
          removeStageOf({
            ...options,
            events: { ...options.events, onAction: (a) => core.info(`delete ${a.resource} ${a.name}`) },
          }),
        )
        for (const f of result.foreign)
          core.warning(`${f.kind} "${f.name}" has this stage's name but not its tags; it was left alone`)
        setOutput('changed', String(result.removed.length > 0))
        setOutput('result', 'removed' satisfies Result)
        if (commentOn)
          await comment(
            repo,
            commentOn,
            removedComment({ stage, region, sha: trigger.sha, found: result.found, runUrl: runUrl() }),
          )
        if (gh)
          await deactivateDeployments(gh, repo, stage).catch((e) =>
            core.warning(`could not mark GitHub deployments of ${stage} inactive: ${(e as Error).message}`),
          )
        await writeSummary(`socket-action: ${stage} removed`, [
          ['Stage', stage],
          ['Region', region],
          ['Deleted', result.removed.map((a) => `${a.resource} ${a.name}`).join(', ') || 'nothing was left'],
        ])
        return
      }
      case 'rollback': {
        const result = await core.group(`Roll back ${stage}`, () =>
          rollbackStageOf({
            ...options,
            events: { ...options.events, onAction: (a) => core.info(`update alias ${a.name}`) },
          }),
        )
        setOutput('changed', String(result.actions.length > 0))
        setOutput('result', 'rolled-back' satisfies Result)
        core.info(`live: version ${result.to} (was ${result.from})`)
        const facts = { stage, region, from: result.from, to: result.to, kept: result.kept, runUrl: runUrl() }
        if (commentOn) await comment(repo, commentOn, rolledBackComment(facts))
        await writeSummary(`socket-action: ${stage} rolled back`, [
          ['Stage', stage],
          ['Region', region],
          ['Live version', `${result.to} (was ${result.from})`],
          ['Kept', result.kept.join(', ')],
        ])
        return
      }
      case 'sweep': {
        await sweep(inputs, { ...options, repo: repository }, gh)
        return
      }
    }
  } catch (error) {
    annotate(error)
    const message = error instanceof Error ? error.message : String(error)
    if (inputs?.comment && trigger?.pr && !trigger.pr.fork && gh && socket && stage && trigger.command !== 'sweep') {
      await comment(
        repo,
        { gh, pr: trigger.pr.number, marker: markerOf(socket.app, stage) },
        failedComment({
          stage,
          command: trigger.command,
          // Masked before the comment cuts it short: a secret across the cut would escape the mask.
          error: redact(message),
          sha: trigger.sha,
          runUrl: runUrl(),
          blockedBySmokeTest: causes(error).find((e): e is BlockedBySmokeTest => e instanceof BlockedBySmokeTest),
        }),
      )
    }
    core.setFailed(message)
  }
}

/**
 * The URL, as a client: $connect, then serverless.yml's smoke message. When it fails, live goes back to the version
 * it served before this deploy (one write) and the job fails; a first deploy has nothing to go back to.
 */
async function verifyOrRollBack(options: StageOptions, url: string, previous: string | undefined): Promise<void> {
  try {
    const verified = await core.group(`Verify ${url}`, () =>
      verifyEndpoint({ url, smoke: options.socket?.smoke, log: (l) => core.info(l) }),
    )
    core.info(
      `verified ${url}${verified.reply ? `: the reply contains ${JSON.stringify(options.socket?.smoke?.expect)}` : ''}`,
    )
  } catch (error) {
    if (!(error instanceof VerifyError)) throw error
    // What to do: the URL is wrong or unreachable from the runner (verify-url, verify: false), or the code is.
    const fix =
      'fix socket.js and push again, or, if clients reach the stage at another address or the runner cannot reach it, set verify-url or verify: false'
    if (previous === undefined)
      throw new Error(
        `${error.message}; this is the stage's first version, so there is nothing to roll back to - ${fix}`,
      )
    const back = await core.group('Roll back', () => rollbackStageOf({ ...options, to: previous }))
    throw new Error(`${error.message}; live was rolled back to version ${back.to} (from ${back.from}) - ${fix}`, {
      cause: error,
    })
  }
}

/** Removes the pr-N stages of closed pull requests; lists, and never removes, every other stage. */
async function sweep(
  inputs: ActionInputs,
  options: StageOptions & { repo: string },
  gh: GitHub | undefined,
): Promise<void> {
  if (!gh) throw new Error('sweep needs input "github-token" to ask which pull requests are closed')
  const result = await sweepClosedPullRequests({
    ...options,
    gh,
    dryRun: inputs.dryRun,
    found: (found) => {
      core.info(`stages of ${found.app} in ${found.region}: ${found.stages.join(', ') || 'none'}`)
      for (const k of found.kept) core.info(`keep ${k.stage} (${k.reason})`)
      if (inputs.dryRun)
        for (const stage of found.closed)
          core.info(`would remove ${stage} (closed pull request); set dry-run: false to remove it`)
    },
    removing: (stage, remove) => core.group(`Remove ${stage}`, remove),
  })
  const kept = result.kept.map((k) => `${k.stage} (${k.reason})`)
  setOutput('changed', String(result.removed.length > 0))
  setOutput('result', 'swept' satisfies Result)
  await writeSummary(`socket-action sweep (${inputs.dryRun ? 'dry run' : 'removing'})`, [
    ['Closed pull request stages', result.closed.join(', ') || 'none'],
    [inputs.dryRun ? 'Would remove' : 'Removed', (inputs.dryRun ? result.closed : result.removed).join(', ') || 'none'],
    ['Kept', kept.join(', ') || 'none'],
  ])
}
