// GitHub deployments per stage: "View deployment" on the PR, marked inactive when the stage is removed.
import type { GitHub, Repo } from './client.ts'

export async function recordDeployment(
  gh: GitHub,
  repo: Repo,
  o: { ref: string; stage: string; url: string; logUrl?: string; transient: boolean; production: boolean },
): Promise<void> {
  const created = await gh.rest.repos.createDeployment({
    ...repo,
    ref: o.ref,
    environment: o.stage,
    auto_merge: false,
    required_contexts: [],
    transient_environment: o.transient,
    production_environment: o.production,
    description: `socket-action ${o.stage}`,
  })
  if (!('id' in created.data)) return
  await gh.rest.repos.createDeploymentStatus({
    ...repo,
    deployment_id: created.data.id,
    state: 'success',
    environment_url: o.url,
    log_url: o.logUrl,
    auto_inactive: true,
  })
}

export async function deactivateDeployments(gh: GitHub, repo: Repo, stage: string): Promise<number> {
  const deployments = await gh.paginate(gh.rest.repos.listDeployments, { ...repo, environment: stage, per_page: 100 })
  for (const d of deployments)
    await gh.rest.repos.createDeploymentStatus({ ...repo, deployment_id: d.id, state: 'inactive' })
  return deployments.length
}
