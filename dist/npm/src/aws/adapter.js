import { isOurs, resourceNames } from "../engine/names.js";
import { describeApi, listApis, observeStage } from "./observe.js";
import { waitingFor } from "../progress/progress.js";
import { executor } from "./writes.js";
export function awsAdapter(options) {
    const names = resourceNames(options.identity);
    return {
        observe: (o) => waitingFor(options.progress, `AWS to describe stage ${options.identity.stage}`, () => observeStage(options.clients, options.identity, names, {
            ...o,
            domain: options.domain,
            secrets: options.secrets,
        })),
        executor: (desired) => executor({ ...options, desired }),
        describeApi: (id) => describeApi(options.clients, id),
        taggedApis: async () => (await listApis(options.clients))
            .filter((api) => api.ProtocolType === 'WEBSOCKET' && isOurs(api.Tags, options.identity))
            .map((api) => ({ id: api.ApiId, createdDate: api.CreatedDate?.toISOString(), tags: api.Tags ?? {} })),
    };
}
