// Every stage of one app and repository in a region, found by tags (for sweep).
import { ListTagsCommand, paginateListFunctions } from '@aws-sdk/client-lambda';
import { TAG_APP, TAG_REPO, TAG_STAGE } from "../engine/names.js";
import { listApis } from "./observe.js";
/** Stages with an API or a function tagged for this app and repository (a half-removed stage still counts). */
export async function listStages(clients, app, repo) {
    const ours = (tags) => tags?.[TAG_APP] === app && tags?.[TAG_REPO] === repo;
    const stages = new Set();
    for (const api of await listApis(clients))
        if (ours(api.Tags))
            stages.add(api.Tags[TAG_STAGE]);
    const functions = [];
    // The SDK's paginator follows NextMarker. (API Gateway v2 has no paginator for GetApis: listApis follows NextToken.)
    for await (const page of paginateListFunctions({ client: clients.lambda }, {}))
        functions.push(...(page.Functions ?? []));
    // Only functions named like this app's can be its own: skip reading everyone else's tags.
    const candidates = functions.filter((f) => f.FunctionName?.startsWith(`${app}-`));
    const tagged = await Promise.all(candidates.map((f) => clients.lambda.send(new ListTagsCommand({ Resource: f.FunctionArn }))));
    for (const { Tags } of tagged)
        if (ours(Tags))
            stages.add(Tags[TAG_STAGE]);
    return [...stages].sort();
}
