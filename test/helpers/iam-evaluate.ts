// IAM policy evaluation for tests, offline: @cloud-copilot/iam-simulate (identity policies, permissions boundaries,
// explicit denies, every condition operator). It checks each request against AWS's own list of actions, resource ARN
// formats and condition keys, so a misspelled action or a condition key the action does not support fails the test.
import { runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate'

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied'

export interface IamRequest {
  action: string
  resource: string
  /** Request context: iam:PermissionsBoundary, iam:PassedToService, aws:RequestTag/..., aws:ResourceTag/... */
  context?: Record<string, string | string[]>
}

export interface Policies {
  identity: unknown[]
  boundary?: unknown
  /** Who asks (default: a deploy role of the README's account). */
  principal?: string
}

const ACCOUNT = '123456789012'

function simulationOf(request: IamRequest, policies: Policies): Simulation {
  return {
    request: {
      principal: policies.principal ?? `arn:aws:iam::${ACCOUNT}:role/socket-action-deploy`,
      action: request.action,
      resource: { resource: request.resource, accountId: ACCOUNT },
      contextVariables: request.context ?? {},
    },
    identityPolicies: policies.identity.map((policy, i) => ({ name: `identity-${i}`, policy })),
    permissionBoundaryPolicies: policies.boundary ? [{ name: 'boundary', policy: policies.boundary }] : undefined,
    // A KMS key is reachable only as its key policy allows: this is KMS's default key policy, which lets the account's
    // IAM policies decide (what a key made without a policy of its own has).
    ...(/^arn:[^:]+:kms:[^:]*:\d{12}:key\//.test(request.resource)
      ? {
          resourcePolicy: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
            ],
          },
        }
      : {}),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }
}

/**
 * API Gateway v2 paths: the library's data lists only v1 resource types for apigateway:GET/POST/PATCH/DELETE (v1 maps
 * domains by basepathmappings, v2 by apimappings).
 */
const isApiGatewayV2 = (r: IamRequest) =>
  r.action.startsWith('apigateway:') &&
  (/::\/(apis|tags)(\/|$)/.test(r.resource) || /::\/domainnames\/[^/]+\/apimappings(\/|$)/.test(r.resource))

export async function decide(request: IamRequest, policies: Policies): Promise<Decision> {
  const simulation = simulationOf(request, policies)
  const result = await runSimulation(simulation, {})
  if (result.resultType === 'error') {
    // Evaluated by the same engine, without the resource-type check the data cannot make.
    if (result.errors.message === 'no.resource.types' && isApiGatewayV2(request))
      return runUnsafeSimulation(simulation, {}) as Decision
    throw new Error(`cannot evaluate ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`)
  }
  if (result.resultType !== 'single')
    throw new Error(`expected one resource for ${request.action} on ${request.resource}, got ${result.resultType}`)
  const ignored = result.result.ignoredContextKeys ?? []
  if (ignored.length)
    throw new Error(
      `${request.action} does not support the context keys ${ignored.join(', ')}: a condition on them never applies`,
    )
  return result.overallResult as Decision
}

/** Without validation: for sweeping every action of a service, each on the one resource a test cares about. */
export function decideUnvalidated(request: IamRequest, policies: Policies): Decision {
  return runUnsafeSimulation(simulationOf(request, policies), {}) as Decision
}
