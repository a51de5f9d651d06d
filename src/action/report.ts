// What the Action tells people: the PR comment and the job summary. Plain text in, markdown out; nothing secret.
import type { Action } from '../engine/model.ts'

export interface DeployFacts {
  app: string
  stage: string
  region: string
  url: string
  /** API Gateway's own URL, when `url` is a custom domain's. */
  apiUrl?: string
  apiId: string
  functionName: string
  routes: string[]
  changed: boolean
  actions: Action[]
  /** The version the alias live points to, and the versions kept for rollback (newest first). */
  release?: { live?: string; kept: string[]; previous?: string }
  sha?: string
  runUrl?: string
}

/** "3 (rollback returns to 2; kept: 3, 2, 1)". */
export function versionsOf(release: DeployFacts['release']): string {
  if (!release?.live) return 'n/a'
  const back = release.previous ? `rollback returns to ${release.previous}` : 'no earlier version to roll back to'
  return `${release.live} (${back}; kept: ${release.kept.join(', ')})`
}

function changesOf(actions: Action[]): string {
  if (actions.length === 0) return 'none (already up to date)'
  return actions.map((a) => `${a.change} ${a.resource} \`${a.name}\``).join(', ')
}

export function deployedComment(f: DeployFacts): string {
  return [
    `### socket-action: \`${f.stage}\` is live`,
    '',
    '| | |',
    '|---|---|',
    `| URL | \`${f.url}\` |`,
    ...(f.apiUrl ? [`| API Gateway URL | \`${f.apiUrl}\` |`] : []),
    `| Stage | \`${f.stage}\` |`,
    `| Region | ${f.region} |`,
    `| Commit | ${f.sha ? `\`${f.sha.slice(0, 7)}\`` : 'n/a'} |`,
    `| Changes | ${changesOf(f.actions)} |`,
    `| Live version | ${versionsOf(f.release)} |`,
    `| Routes | ${f.routes.map((r) => `\`${r}\``).join(', ')} |`,
    '',
    `Try it: \`npx wscat -c ${f.url}\``,
    ...(f.runUrl ? ['', `[Workflow run](${f.runUrl})`] : []),
  ].join('\n')
}

export function removedComment(o: {
  stage: string
  region: string
  sha?: string
  found: boolean
  runUrl?: string
}): string {
  return [
    `### socket-action: \`${o.stage}\` was removed`,
    '',
    o.found
      ? `Everything tagged for stage \`${o.stage}\` in ${o.region} has been deleted${o.sha ? ` (at \`${o.sha.slice(0, 7)}\`)` : ''}.`
      : `Nothing was left to remove for stage \`${o.stage}\` in ${o.region}.`,
    ...(o.runUrl ? ['', `[Workflow run](${o.runUrl})`] : []),
  ].join('\n')
}

export function failedComment(o: {
  stage?: string
  command: string
  error: string
  sha?: string
  runUrl?: string
  /** The new version failed its smoke test: the alias live was not moved to it (unless it is the stage's first). */
  blockedBySmokeTest?: { firstRelease: boolean }
}): string {
  const smoke = o.blockedBySmokeTest
  return [
    smoke && !smoke.firstRelease
      ? `### socket-action: deploy of \`${o.stage ?? '?'}\` blocked by smoke test`
      : `### socket-action: ${o.command} of \`${o.stage ?? '?'}\` failed`,
    '',
    ...(smoke
      ? [
          smoke.firstRelease
            ? "The stage's first version failed its smoke test. There is no earlier version to serve, so the alias `live` points to it: fix `socket.js` and push again."
            : 'The new version failed its smoke test, so the alias `live` was not moved to it.',
          '',
        ]
      : []),
    // Indented, not fenced: an error that contains a fence cannot break out of it.
    o.error
      .slice(0, 3000)
      .split('\n')
      .map((line) => `    ${line}`)
      .join('\n'),
    ...(o.sha ? ['', `Commit \`${o.sha.slice(0, 7)}\`.`] : []),
    ...(o.runUrl ? ['', `See the [workflow run](${o.runUrl}) for the log.`] : []),
  ].join('\n')
}

export function summaryRows(f: DeployFacts): Array<[string, string]> {
  return [
    ['URL', f.url],
    ...(f.apiUrl ? [['API Gateway URL', f.apiUrl] as [string, string]] : []),
    ['Stage', f.stage],
    ['Region', f.region],
    ['API', f.apiId],
    ['Function', f.functionName],
    ['Changed', String(f.changed)],
    ['Changes', changesOf(f.actions)],
    ['Live version', versionsOf(f.release)],
    ['Routes', f.routes.join(', ')],
  ]
}

export function rolledBackComment(o: {
  stage: string
  region: string
  from: string
  to: string
  kept: string[]
  runUrl?: string
}): string {
  return [
    `### socket-action: \`${o.stage}\` was rolled back`,
    '',
    o.from === o.to
      ? `The alias \`live\` of stage \`${o.stage}\` in ${o.region} already pointed to version ${o.to}.`
      : `The alias \`live\` of stage \`${o.stage}\` in ${o.region} now points to version ${o.to} (was ${o.from}). Versions kept: ${o.kept.join(', ')}. The next deploy moves it to the version holding the pushed code.`,
    ...(o.runUrl ? ['', `[Workflow run](${o.runUrl})`] : []),
  ].join('\n')
}
