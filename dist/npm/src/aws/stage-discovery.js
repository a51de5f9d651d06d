// Every stage of one app and repository in a region, found by tags (for sweep).
import { DescribeTableCommand, ListTagsOfResourceCommand, paginateListTables } from '@aws-sdk/client-dynamodb';
import { ListTagsCommand, paginateListFunctions } from '@aws-sdk/client-lambda';
import { TAG_APP, TAG_REPO, TAG_STAGE } from "../engine/names.js";
import { listApis } from "./observe.js";
/**
 * Stages with an API, a function or a registry table tagged for this app and repository (a half-removed stage still
 * counts: a remove that stopped after the function leaves the table, which is deleted last).
 */
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
    for (const tags of await registryTableTags(clients, app))
        if (ours(tags))
            stages.add(tags[TAG_STAGE]);
    return [...stages].sort();
}
/** The tags of the tables named like this app's registry tables (`{app}-{stage}-connections`, names.ts). */
async function registryTableTags(clients, app) {
    const names = [];
    for await (const page of paginateListTables({ client: clients.dynamodb }, {}))
        names.push(...(page.TableNames ?? []));
    const candidates = names.filter((name) => name.startsWith(`${app}-`) && name.endsWith('-connections'));
    const tags = await Promise.all(candidates.map(async (TableName) => {
        try {
            const { Table } = await clients.dynamodb.send(new DescribeTableCommand({ TableName }));
            const out = await clients.dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: Table.TableArn }));
            return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key, t.Value]));
        }
        catch (error) {
            // Deleted since it was listed.
            if (error.name === 'ResourceNotFoundException')
                return {};
            throw error;
        }
    }));
    return tags;
}
