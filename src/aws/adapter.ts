// The engine's StageAdapter on AWS: reads from observe.ts, writes from writes.ts, nothing else talks to AWS.
import type { DesiredState } from '../engine/model.ts'
import type { StageAdapter } from '../engine/deploy.ts'
import { isOurs, resourceNames, type StageIdentity } from '../engine/names.ts'
import type { DomainTarget } from './domain-lookup.ts'
import type { SecretTarget } from './secrets-lookup.ts'
import { describeApi, listApis, observeStage } from './observe.ts'
import { waitingFor } from '../progress/progress.ts'
import { executor, type WriteContext } from './writes.ts'

/** What the writes need (but the desired state, which comes with each round), and the stage's identity. */
export interface AwsAdapterOptions extends Omit<WriteContext, 'desired'> {
  identity: StageIdentity
  /** The custom domain serverless.yml names for the stage, if any. */
  domain?: DomainTarget
  /** The parameters and secrets serverless.yml's `secrets` name. */
  secrets?: SecretTarget[]
}

export function awsAdapter(options: AwsAdapterOptions): StageAdapter {
  const names = resourceNames(options.identity)
  return {
    observe: (o) =>
      waitingFor(options.progress, `AWS to describe stage ${options.identity.stage}`, () =>
        observeStage(options.clients, options.identity, names, {
          ...o,
          domain: options.domain,
          secrets: options.secrets,
        }),
      ),
    executor: (desired?: DesiredState) => executor({ ...options, desired }),
    describeApi: (id) => describeApi(options.clients, id),
    taggedApis: async () =>
      (await listApis(options.clients))
        .filter((api) => api.ProtocolType === 'WEBSOCKET' && isOurs(api.Tags, options.identity))
        .map((api) => ({ id: api.ApiId!, createdDate: api.CreatedDate?.toISOString(), tags: api.Tags ?? {} })),
  }
}
