// Reads what AWS holds for one stage, found by names and tags: two rounds of parallel reads, no writes.
import { GetApiCommand, GetApisCommand, GetIntegrationsCommand, GetRoutesCommand, GetStagesCommand, } from '@aws-sdk/client-apigatewayv2';
import { GetRoleCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand, } from '@aws-sdk/client-iam';
import { GetAliasCommand, GetFunctionCommand, GetPolicyCommand, ListVersionsByFunctionCommand, } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { DescribeLogGroupsCommand, ListTagsForResourceCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTableCommand, DescribeTimeToLiveCommand, ListTagsOfResourceCommand, } from '@aws-sdk/client-dynamodb';
import { isOurs, partitionOf } from "../engine/names.js";
import { readDomainsFirst, readDomainsSecond } from "./domain-lookup.js";
import { explainAwsError } from "./errors.js";
import { readSecrets } from "./secrets-lookup.js";
import { allPages, orUndefined } from "./reads.js";
/** IAM returns policy documents URL-encoded. */
function parsePolicy(document) {
    if (!document)
        return undefined;
    const text = document.trimStart().startsWith('{') ? document : decodeURIComponent(document);
    return JSON.parse(text);
}
function iamTags(tags) {
    return Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}
export async function listApis(clients) {
    return allPages(async (NextToken) => {
        const page = await clients.apigw.send(new GetApisCommand({ NextToken, MaxResults: '100' }));
        return { items: page.Items, next: page.NextToken };
    });
}
async function observeApi(clients, api) {
    const ApiId = api.ApiId;
    const [integrations, routes, stages] = await Promise.all([
        allPages(async (NextToken) => {
            const p = await clients.apigw.send(new GetIntegrationsCommand({ ApiId, NextToken }));
            return { items: p.Items, next: p.NextToken };
        }),
        allPages(async (NextToken) => {
            const p = await clients.apigw.send(new GetRoutesCommand({ ApiId, NextToken }));
            return { items: p.Items, next: p.NextToken };
        }),
        allPages(async (NextToken) => {
            const p = await clients.apigw.send(new GetStagesCommand({ ApiId, NextToken }));
            return { items: p.Items, next: p.NextToken };
        }),
    ]);
    return {
        id: ApiId,
        name: api.Name ?? '',
        createdDate: api.CreatedDate?.toISOString(),
        tags: api.Tags ?? {},
        endpoint: api.ApiEndpoint,
        description: api.Description,
        routeSelectionExpression: api.RouteSelectionExpression,
        integrations: integrations.map((i) => ({
            id: i.IntegrationId,
            type: i.IntegrationType,
            uri: i.IntegrationUri,
            timeoutMs: i.TimeoutInMillis,
        })),
        routes: routes.map((r) => ({ id: r.RouteId, key: r.RouteKey, target: r.Target })),
        stages: stages.map((s) => ({
            name: s.StageName,
            deploymentId: s.DeploymentId,
            description: s.Description,
            tags: s.Tags ?? {},
            throttle: s.DefaultRouteSettings?.ThrottlingBurstLimit !== undefined ||
                s.DefaultRouteSettings?.ThrottlingRateLimit !== undefined
                ? {
                    burstLimit: s.DefaultRouteSettings?.ThrottlingBurstLimit,
                    rateLimit: s.DefaultRouteSettings?.ThrottlingRateLimit,
                }
                : undefined,
        })),
    };
}
/** One API by id (consistent, where the listing may lag behind CreateApi); undefined when it is gone. */
export async function describeApi(clients, ApiId) {
    const api = await orUndefined(clients.apigw.send(new GetApiCommand({ ApiId })));
    return api ? orUndefined(observeApi(clients, api)) : undefined;
}
/** The function's log group, exactly that name (DescribeLogGroups matches by prefix); its tags are a second read. */
async function findLogGroup(clients, name) {
    const { logGroups } = await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, limit: 50 }));
    const group = logGroups?.find((g) => g.logGroupName === name);
    if (!group)
        return undefined;
    return { name, arn: group.logGroupArn ?? group.arn.replace(/:\*$/, ''), retentionDays: group.retentionInDays };
}
async function withTags(clients, group) {
    const { tags } = await clients.logs.send(new ListTagsForResourceCommand({ resourceArn: group.arn }));
    return { ...group, tags: tags ?? {} };
}
/** The registry's table with its tags (ListTagsOfResource pages by NextToken; ours are five). */
async function tableWithTags(clients, t, ttl) {
    const arn = t.TableArn;
    const tags = await allPages(async (NextToken) => {
        const page = await clients.dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: arn, NextToken }));
        return { items: page.Tags, next: page.NextToken };
    });
    const types = new Map((t.AttributeDefinitions ?? []).map((d) => [d.AttributeName, d.AttributeType]));
    return {
        name: t.TableName,
        arn,
        status: t.TableStatus ?? 'ACTIVE',
        tags: Object.fromEntries(tags.map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
        keys: (t.KeySchema ?? []).map((k) => `${k.AttributeName}:${types.get(k.AttributeName) ?? '?'}:${k.KeyType}`),
        // A table made PAY_PER_REQUEST says so; one made PROVISIONED may have no summary at all.
        billingMode: t.BillingModeSummary?.BillingMode ?? 'PROVISIONED',
        ...(ttl?.TimeToLiveStatus
            ? {
                ttl: {
                    status: ttl.TimeToLiveStatus,
                    ...(ttl.AttributeName ? { attribute: ttl.AttributeName } : {}),
                },
            }
            : {}),
    };
}
/** A function configuration ($LATEST or a version) as the planner compares it. */
function specOf(c) {
    return {
        runtime: c.Runtime ?? '',
        architecture: (c.Architectures?.[0] ?? 'x86_64'),
        memory: c.MemorySize ?? 128,
        timeout: c.Timeout ?? 3,
        env: c.Environment?.Variables ?? {},
        description: c.Description ?? '',
        handler: c.Handler ?? '',
        roleArn: c.Role ?? '',
        codeSha256: c.CodeSha256 ?? '',
    };
}
/** The SourceArn of statement `sid` in a function's (or alias's) resource policy; '' without a condition. */
function grantedSourceArn(policy, sid, qualifier) {
    if (!policy)
        return undefined;
    const statements = JSON.parse(policy).Statement;
    // An alias's statement names it in its Resource (…:function:name:live); the function's has no qualifier.
    const found = statements.find((s) => s.Sid === sid && (qualifier === undefined || (s.Resource ?? '').endsWith(`:${qualifier}`)));
    return found ? (found.Condition?.ArnLike?.['AWS:SourceArn'] ?? '') : undefined;
}
export async function observeStage(clients, identity, names, options = {}) {
    try {
        // Two rounds of parallel reads: everything named, then what the first round found (API details, the group's tags).
        const FunctionName = names.functionName;
        const [identityOut, roleOut, rolePolicy, policyNames, attached, fnOut, fnPolicy, apis, foundGroup, legacyRoleOut, aliasOut, aliasPolicy, versionList, tableOut, ttlOut, domainsFirst, secrets,] = await Promise.all([
            clients.sts.send(new GetCallerIdentityCommand({})),
            orUndefined(clients.iam.send(new GetRoleCommand({ RoleName: names.roleName }))),
            orUndefined(clients.iam.send(new GetRolePolicyCommand({ RoleName: names.roleName, PolicyName: names.policyName }))),
            options.forRemoval
                ? orUndefined(clients.iam.send(new ListRolePoliciesCommand({ RoleName: names.roleName })))
                : undefined,
            options.forRemoval
                ? orUndefined(clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: names.roleName })))
                : undefined,
            orUndefined(clients.lambda.send(new GetFunctionCommand({ FunctionName: names.functionName }))),
            orUndefined(clients.lambda.send(new GetPolicyCommand({ FunctionName: names.functionName }))),
            listApis(clients),
            findLogGroup(clients, names.logGroupName),
            orUndefined(clients.iam.send(new GetRoleCommand({ RoleName: names.legacyRoleName }))),
            orUndefined(clients.lambda.send(new GetAliasCommand({ FunctionName, Name: names.aliasName }))),
            orUndefined(clients.lambda.send(new GetPolicyCommand({ FunctionName, Qualifier: names.aliasName }))),
            orUndefined(allPages(async (Marker) => {
                const page = await clients.lambda.send(new ListVersionsByFunctionCommand({ FunctionName, Marker }));
                return { items: page.Versions, next: page.NextMarker };
            })),
            // The registry's table, read whether or not serverless.yml asks for one: a stage that turned it off deletes it.
            orUndefined(clients.dynamodb.send(new DescribeTableCommand({ TableName: names.tableName }))),
            orUndefined(clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: names.tableName }))),
            readDomainsFirst(clients, options.domain),
            options.secrets?.length && !options.forRemoval ? readSecrets(clients, options.secrets) : undefined,
        ]);
        const legacyTags = iamTags(legacyRoleOut?.Role?.Tags);
        const legacyRole = legacyRoleOut?.Role && isOurs(legacyTags, identity)
            ? { name: names.legacyRoleName, arn: legacyRoleOut.Role.Arn }
            : undefined;
        const foreign = [];
        let role;
        if (roleOut?.Role) {
            const tags = iamTags(roleOut.Role.Tags);
            if (!isOurs(tags, identity))
                foreign.push({ kind: 'role', name: names.roleName, tags });
            else {
                const policies = {};
                if (rolePolicy?.PolicyDocument)
                    policies[names.policyName] = parsePolicy(rolePolicy.PolicyDocument);
                for (const name of policyNames?.PolicyNames ?? [])
                    policies[name] ??= true;
                role = {
                    name: names.roleName,
                    arn: roleOut.Role.Arn,
                    tags,
                    trustPolicy: parsePolicy(roleOut.Role.AssumeRolePolicyDocument),
                    policies,
                    attachedPolicyArns: (attached?.AttachedPolicies ?? []).map((p) => p.PolicyArn),
                    ...(roleOut.Role.PermissionsBoundary?.PermissionsBoundaryArn
                        ? { permissionsBoundary: roleOut.Role.PermissionsBoundary.PermissionsBoundaryArn }
                        : {}),
                };
            }
        }
        let fn;
        if (fnOut?.Configuration) {
            const tags = fnOut.Tags ?? {};
            if (!isOurs(tags, identity))
                foreign.push({ kind: 'function', name: names.functionName, tags });
            else {
                const c = fnOut.Configuration;
                fn = {
                    name: names.functionName,
                    arn: c.FunctionArn,
                    tags,
                    state: c.State,
                    lastUpdateStatus: c.LastUpdateStatus,
                    permissionSourceArn: grantedSourceArn(fnPolicy?.Policy, names.permissionSid),
                    spec: specOf(c),
                    ...(aliasOut?.FunctionVersion
                        ? {
                            alias: {
                                name: names.aliasName,
                                version: aliasOut.FunctionVersion,
                                ...(aliasOut.Description ? { description: aliasOut.Description } : {}),
                            },
                        }
                        : {}),
                    aliasPermissionSourceArn: aliasOut
                        ? grantedSourceArn(aliasPolicy?.Policy, names.aliasPermissionSid, names.aliasName)
                        : undefined,
                    versions: (versionList ?? [])
                        .filter((v) => v.Version && v.Version !== '$LATEST')
                        .map((v) => ({ version: v.Version, spec: specOf(v) })),
                };
            }
        }
        options.onFirstRound?.({
            account: identityOut.Account,
            partition: partitionOf(identityOut.Arn),
            role,
            fn,
            foreign: [...foreign],
            ...(secrets ? { secrets } : {}),
        });
        const ours = apis.filter((api) => api.ProtocolType === 'WEBSOCKET' && isOurs(api.Tags, identity));
        // An API deleted between the listing and its reads (another deploy removing a duplicate) is simply gone.
        const [observedApis, logGroup, foundTable, domains] = await Promise.all([
            Promise.all(ours.map((api) => orUndefined(observeApi(clients, api)))),
            foundGroup ? orUndefined(withTags(clients, foundGroup)) : undefined,
            tableOut?.Table ? orUndefined(tableWithTags(clients, tableOut.Table, ttlOut?.TimeToLiveDescription)) : undefined,
            readDomainsSecond(clients, identity, domainsFirst, options.domain, ours.map((api) => api.Tags)),
        ]);
        const untagged = logGroup && Object.keys(logGroup.tags).every((key) => !key.startsWith('socket-action:'));
        if (logGroup && !untagged && !isOurs(logGroup.tags, identity))
            foreign.push({ kind: 'log-group', name: logGroup.name, tags: logGroup.tags });
        // A table with the registry's name is ours only by its tags; any other is never adopted, changed or deleted.
        const table = foundTable && isOurs(foundTable.tags, identity) ? foundTable : undefined;
        if (foundTable && !table)
            foreign.push({ kind: 'table', name: foundTable.name, tags: foundTable.tags });
        return {
            account: identityOut.Account,
            partition: partitionOf(identityOut.Arn),
            role,
            fn,
            ...(legacyRole ? { legacyRole } : {}),
            // An untagged group is adopted on deploy (Lambda made it for a stage older than this), never deleted by remove.
            logGroup: logGroup && (isOurs(logGroup.tags, identity) || (untagged && !options.forRemoval)) ? logGroup : undefined,
            apis: observedApis.filter((api) => api !== undefined),
            ...(table ? { table } : {}),
            ...domains,
            ...(secrets ? { secrets } : {}),
            foreign,
        };
    }
    catch (error) {
        throw explainAwsError(error, `reading stage "${identity.stage}" of "${identity.app}"`);
    }
}
