// Where clients connect to one deployed stage, read by its tags: the stage's API (GetApis), the alias `live` (GetAlias),
// in parallel; then, only when the API carries the custom-domain tag, the domain's API mappings. No writes.
import { GetAliasCommand } from '@aws-sdk/client-lambda';
import { GetApiMappingsCommand } from '@aws-sdk/client-apigatewayv2';
import { domainUrl, isOurs, TAG_CREATED, TAG_DOMAIN } from "../engine/names.js";
import { explainAwsError } from "./errors.js";
import { listApis } from "./observe.js";
import { orUndefined } from "./reads.js";
/** Nothing on AWS is tagged for the stage (a typo in --stage or --region, or never deployed): the input to fix. */
export class StageNotFoundError extends Error {
    name = 'StageNotFoundError';
}
/** The stage's WebSocket API: the oldest, if a race left two (plan deletes the younger one on the next deploy). */
function stageApi(apis, identity) {
    const ours = apis.filter((api) => api.ProtocolType === 'WEBSOCKET' && isOurs(api.Tags, identity));
    const created = (api) => api.Tags?.[TAG_CREATED] ?? api.CreatedDate?.toISOString() ?? '';
    return ours.sort((a, b) => created(a).localeCompare(created(b)))[0];
}
export async function readStageUrl(clients, identity, names) {
    const where = `stage "${identity.stage}" of "${identity.app}"`;
    try {
        const [apis, alias] = await Promise.all([
            listApis(clients),
            orUndefined(clients.lambda.send(new GetAliasCommand({ FunctionName: names.functionName, Name: names.aliasName }))),
        ]);
        const api = stageApi(apis, identity);
        if (!api?.ApiId || !api.ApiEndpoint)
            throw new StageNotFoundError(`no ${where} (repository ${identity.repo}) in ${identity.region}: no WebSocket API is tagged for it`);
        const apiUrl = `${api.ApiEndpoint.replace(/\/+$/, '')}/${names.stageName}`;
        const domainName = api.Tags?.[TAG_DOMAIN];
        const mappings = domainName
            ? await orUndefined(clients.apigw.send(new GetApiMappingsCommand({ DomainName: domainName, MaxResults: '100' })))
            : undefined;
        const mapped = mappings?.Items?.some((m) => m.ApiId === api.ApiId && m.Stage === names.stageName && !m.ApiMappingKey);
        return {
            url: domainName && mapped ? domainUrl(domainName) : apiUrl,
            apiUrl,
            apiId: api.ApiId,
            ...(domainName && mapped ? { domain: domainName } : {}),
            ...(alias?.FunctionVersion ? { liveVersion: alias.FunctionVersion } : {}),
            functionName: names.functionName,
        };
    }
    catch (error) {
        if (error instanceof StageNotFoundError)
            throw error;
        throw explainAwsError(error, `reading ${where}`);
    }
}
