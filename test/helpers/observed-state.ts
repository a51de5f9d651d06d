// Observed states for planner tests: what AWS holds once a stage is deployed.
import type { DesiredState, ObservedState } from '../../src/engine/model.ts'
import { AWS_PARTITION } from '../../src/engine/names.ts'
import { deploymentMarker } from '../../src/engine/plan.ts'
import { resolveDocument } from '../../src/engine/refs.ts'

/** What AWS holds after a clean deploy of `desired`: every resource ours, tagged and up to date. */
export function deployedState(desired: DesiredState): ObservedState {
  const apiId = 'abc123'
  const integrationId = 'int1'
  return {
    account: desired.account,
    partition: AWS_PARTITION,
    role: {
      name: desired.names.roleName,
      arn: `arn:aws:iam::${desired.account}:role/x`,
      tags: desired.tags,
      trustPolicy: desired.role.trustPolicy,
      policies: { 'socket-action': resolveDocument(desired.role.policy, { apiId }) },
      attachedPolicyArns: [],
    },
    logGroup: {
      name: desired.logGroup.name,
      arn: `arn:aws:logs:${desired.region}:${desired.account}:log-group:${desired.logGroup.name}`,
      retentionDays: 30,
      tags: desired.tags,
    },
    fn: {
      name: desired.names.functionName,
      arn: 'arn:fn',
      tags: desired.tags,
      spec: { ...desired.fn },
      alias: { name: 'live', version: '1' },
      aliasPermissionSourceArn: `arn:aws:execute-api:us-east-1:${desired.account}:${apiId}/*`,
      versions: [{ version: '1', spec: { ...desired.fn, description: desired.fn.codeSha256 } }],
    },
    apis: [
      {
        id: apiId,
        name: desired.names.apiName,
        createdDate: '2026-01-01T00:00:00.000Z',
        tags: desired.tags,
        description: desired.api.description,
        routeSelectionExpression: '$request.body.route',
        integrations: [{ id: integrationId, type: 'AWS_PROXY', uri: desired.api.integrationUri, timeoutMs: 29000 }],
        routes: desired.api.routeKeys.map((key, i) => ({ id: `r${i}`, key, target: `integrations/${integrationId}` })),
        stages: [
          {
            name: 'prod',
            deploymentId: 'dep1',
            description: deploymentMarker(desired, integrationId),
            tags: desired.tags,
          },
        ],
      },
    ],
    foreign: [],
  }
}
