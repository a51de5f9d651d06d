// The engine's StageAdapter on AWS: reads from observe.ts, writes from writes.ts, nothing else talks to AWS.
import type { DesiredState } from '../engine/model.ts'
import type { StageAdapter } from '../engine/deploy.ts'
import { isOurs, resourceNames, type StageIdentity } from '../engine/names.ts'
import type { AwsClients } from './clients.ts'
import { describeApi, listApis, observeStage } from './observe.ts'
import type { Sleep } from './retry.ts'
import { waitingFor, type Progress } from '../progress/progress.ts'
import { executor, type WaitSettings } from './writes.ts'

export interface AwsAdapterOptions {
  clients: AwsClients
  identity: StageIdentity
  zip?: Uint8Array
  waits?: WaitSettings
  sleep?: Sleep
  retryBaseMs?: number
  log?: (line: string) => void
  progress?: Progress
}

export function awsAdapter(options: AwsAdapterOptions): StageAdapter {
  const names = resourceNames(options.identity)
  return {
    observe: (o) =>
      waitingFor(options.progress, `AWS to describe stage ${options.identity.stage}`, () =>
        observeStage(options.clients, options.identity, names, o),
      ),
    executor: (desired?: DesiredState) => executor({ ...options, desired }),
    describeApi: (id) => describeApi(options.clients, id),
    taggedApis: async () =>
      (await listApis(options.clients))
        .filter((api) => api.ProtocolType === 'WEBSOCKET' && isOurs(api.Tags, options.identity))
        .map((api) => ({ id: api.ApiId!, createdDate: api.CreatedDate?.toISOString(), tags: api.Tags ?? {} })),
  }
}
