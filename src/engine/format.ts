// A plan as a person reads it, Terraform-style: one line per write, field-level diffs below.
import type { Plan, ReleaseSummary } from './model.ts'

const SIGN = { create: '+', update: '~', delete: '-' } as const

function show(value: unknown): string {
  if (value === undefined) return '(none)'
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.length > 120 ? `${text.slice(0, 117)}...` : text
}

/** Environment values may be secrets: a diff shows which names changed, never the values. */
function redact(field: string, value: unknown): unknown {
  if (field !== 'env' || !value || typeof value !== 'object') return value
  return Object.fromEntries(Object.keys(value).map((k) => [k, '***']))
}

/** Which version `live` points to once the plan is applied, the one a rollback returns to, and those kept. */
export function formatRelease(r: ReleaseSummary): string {
  const live = r.live ?? (r.publishes ? 'the version this plan publishes' : 'none')
  const kept = r.publishes ? ['(new)', ...r.kept] : r.kept
  return [
    `Live version: ${live}`,
    `rollback returns to ${r.previous ?? 'none'}`,
    `kept: ${kept.join(', ') || 'none'}`,
    ...(r.deleted.length ? [`deleted: ${r.deleted.join(', ')}`] : []),
  ].join('; ')
}

export function formatPlan(plan: Plan): string {
  const notes =
    (plan.release ? `\n${formatRelease(plan.release)}.` : '') + (plan.notes ?? []).map((n) => `\nNote: ${n}`).join('')
  if (plan.actions.length === 0) return `No changes: the stage matches serverless.yml and socket.js.${notes}`
  // A smoke test writes nothing: shown as a check, not counted as a change.
  const writes = plan.actions.filter((a) => a.write !== 'SmokeTest')
  const tested = writes.length < plan.actions.length
  const lines = plan.actions.map((a) => {
    const head = a.write === 'SmokeTest' ? `  ? smoke test of ${a.name}` : `  ${SIGN[a.change]} ${a.resource} ${a.name}`
    const diff = (a.diff ?? []).map((d) => {
      if (d.field === 'env') {
        const from = (d.from ?? {}) as Record<string, string>
        const to = (d.to ?? {}) as Record<string, string>
        const changed = [...new Set([...Object.keys(from), ...Object.keys(to)])].filter((k) => from[k] !== to[k])
        return `      env: ${changed.map((k) => (!(k in from) ? `+${k}` : !(k in to) ? `-${k}` : `~${k}`)).join(' ')} (values hidden)`
      }
      return `      ${d.field}: ${show(redact(d.field, d.from))} -> ${show(redact(d.field, d.to))}`
    })
    return [head, ...diff].join('\n')
  })
  const counts = (['create', 'update', 'delete'] as const)
    .map((c) => `${writes.filter((a) => a.change === c).length} to ${c}`)
    .join(', ')
  const check = tested ? '; the new version is smoke-tested before live moves to it' : ''
  return `${lines.join('\n')}\nPlan: ${counts}${check}.${notes}`
}

/** The plan as JSON, without anything secret (env values). */
export function planJson(plan: Plan): unknown {
  return {
    changes: plan.actions.map((a) => ({
      id: a.id,
      change: a.change,
      resource: a.resource,
      name: a.name,
      after: a.after,
      diff: a.diff?.map((d) => ({ field: d.field, from: redact(d.field, d.from), to: redact(d.field, d.to) })),
    })),
    unchanged: plan.unchanged,
    ...(plan.release ? { release: plan.release } : {}),
    ...(plan.notes ? { notes: plan.notes } : {}),
  }
}
