// Ids that only exist once an earlier action of the same apply has run (the API a plan creates, its integration, its
// deployment): the planner puts a typed reference where such an id goes, and the applier resolves it.
import type { PolicyDocument } from './model.ts'

/**
 * What apply learns while it runs; `marker` is the stage's deployment marker, known with the integration id; `version`
 * the function version PublishVersion made.
 */
export type Fact =
  | 'apiId'
  | 'integrationId'
  | 'deploymentId'
  | 'marker'
  | 'version'
  /** The custom domain name's target (API Gateway's name for it) and that name's hosted zone, from CreateDomainName. */
  | 'domainTarget'
  | 'domainZoneId'

export type Known = Partial<Record<Fact, string>>

/** Text holding one id that is not known yet: `prefix` + the id + `suffix`. */
export class Ref {
  constructor(
    readonly fact: Fact,
    readonly prefix = '',
    readonly suffix = '',
  ) {}

  resolve(known: Known): string {
    const value = known[this.fact]
    if (value === undefined)
      throw new Error(`internal: \${${this.fact}} is not known yet; an action ran before the one that creates it`)
    return `${this.prefix}${value}${this.suffix}`
  }

  /** How a plan shows it (JSON, diffs): `${apiId}` in place of the id. */
  toJSON(): string {
    return `${this.prefix}\${${this.fact}}${this.suffix}`
  }

  toString(): string {
    return this.toJSON()
  }
}

/** An SDK input whose fields `K` may hold a reference (the rest are exactly the SDK's). */
export type WithRefs<I, K extends keyof I> = Omit<I, K> & { [P in K]: I[P] | Ref }

/** The text of a field that may be a reference. */
export function resolved(value: string | Ref, known: Known): string
export function resolved(value: string | Ref | undefined, known: Known): string | undefined
export function resolved(value: string | Ref | undefined, known: Known): string | undefined {
  return value instanceof Ref ? value.resolve(known) : value
}

function resolveValue(value: unknown, known: Known): unknown {
  if (value instanceof Ref) return value.resolve(known)
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, known))
  if (value && typeof value === 'object') return resolveObject(value, known)
  return value
}

function resolveObject(value: object, known: Known): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, known)]))
}

/** A policy document with its references filled in (key order kept, so its JSON is the same text). */
export function resolveDocument(doc: PolicyDocument, known: Known): PolicyDocument {
  return { ...doc, Statement: doc.Statement.map((s) => resolveObject(s, known)) }
}
