// The planner: a pure function from (desired, observed) to the ordered writes that make AWS match.
import { createHash } from 'node:crypto';
import { arn, isOurs, TAG_ADOPTED, TAG_CREATED, TAG_DOMAIN } from "./names.js";
import { PlanError } from "./plan-error.js";
import { planDomain, planDomainRemoval } from "./plan-domain.js";
import { Ref, resolveDocument } from "./refs.js";
export { PlanError } from "./plan-error.js";
/** JSON with sorted keys, so documents compare by content, not by key order. */
export function canonical(value) {
    return JSON.stringify(value, (_key, v) => v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
        : v);
}
/**
 * Which of several APIs of one stage survives a race: the first created by API Gateway's clock (CreatedDate, whole
 * seconds), within one second by our millisecond tag (the runner's clock), then the smallest id. Every run gets the
 * same answer, and a later creator loses to any API it can see.
 */
export function survivingApi(apis) {
    const second = (api) => (api.createdDate ?? '').slice(0, 19);
    const within = (api) => api.tags[TAG_CREATED] ?? '';
    return [...apis].sort((a, b) => second(a).localeCompare(second(b)) || within(a).localeCompare(within(b)) || a.id.localeCompare(b.id))[0];
}
/** Marks the stage with what its current deployment contains, written only after the deployment succeeded. */
export function deploymentMarker(desired, integrationId) {
    const content = canonical({
        routeSelectionExpression: desired.api.routeSelectionExpression,
        routes: desired.api.routeKeys,
        integrationId,
        uri: desired.api.integrationUri,
        timeout: desired.api.integrationTimeoutMs,
    });
    return `socket-action deployment ${createHash('sha256').update(content).digest('hex').slice(0, 16)}`;
}
const tagList = (tags) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
/** What CreateFunction and UpdateFunctionConfiguration both set. */
function functionConfiguration(spec) {
    return {
        Runtime: spec.runtime,
        Role: spec.roleArn,
        Handler: spec.handler,
        Description: spec.description,
        Timeout: spec.timeout,
        MemorySize: spec.memory,
        Environment: { Variables: spec.env },
    };
}
function tagDiff(observed, desired) {
    return Object.entries(desired)
        .filter(([k, v]) => observed[k] !== v)
        .map(([k, v]) => ({ field: `tags.${k}`, from: observed[k], to: v }));
}
// Architecture is not among them: Lambda changes it with the code (UpdateFunctionCode), not the configuration.
const CONFIG_FIELDS = [
    'runtime',
    'memory',
    'timeout',
    'env',
    'description',
    'handler',
    'roleArn',
];
/** The fields of `fields` that differ between two function specs, as diffs. */
function specDiff(fields, observed, desired) {
    return fields
        .filter((f) => canonical(observed[f]) !== canonical(desired[f]))
        .map((f) => ({ field: f, from: observed[f], to: desired[f] }));
}
const functionConfigDiff = (observed, desired) => specDiff(CONFIG_FIELDS, observed, desired);
/**
 * What a published version is compared on: its description is its code's SHA-256 (PublishVersion's Description), not
 * serverless.yml's, so a new description alone changes $LATEST and publishes nothing.
 */
const RELEASE_FIELDS = [
    ...CONFIG_FIELDS.filter((f) => f !== 'description'),
    'codeSha256',
    'architecture',
];
const releaseDiff = (version, desired) => specDiff(RELEASE_FIELDS, version, desired);
const byNumber = (a, b) => Number(a) - Number(b);
/** The alias description that records the version a rollback returns to. */
/**
 * The alias description a stage's first release gets when its smoke test fails (live points to it, with nothing
 * earlier to serve): the next deploy tests that version again, and clears it once it passes.
 */
export const failedSmokeDescription = (version) => `socket-action: version ${version} failed its smoke test`;
const FAILED_SMOKE = /^socket-action: version (\d+) failed its smoke test$/;
const failedSmoke = (alias) => alias !== undefined && FAILED_SMOKE.exec(alias.description ?? '')?.[1] === alias.version;
export function aliasDescription(previous) {
    return previous === undefined ? undefined : `socket-action: previous version ${previous}`;
}
/**
 * The version a rollback returns to: the one `live` pointed to before the deploy that moved it (recorded in the alias
 * description), if it still exists; otherwise the highest version below live's.
 */
export function previousVersion(alias, versions) {
    if (!alias)
        return undefined;
    const recorded = /previous version (\d+)$/.exec(alias.description ?? '')?.[1];
    if (recorded && recorded !== alias.version && versions.includes(recorded))
        return recorded;
    return versions
        .filter((v) => Number(v) < Number(alias.version))
        .sort(byNumber)
        .pop();
}
/** Each resource's writes and the change each makes (null: see FixedChange), checked against the Action union. */
const WRITES = {
    api: { CreateApi: 'create', UpdateApi: 'update', TagApi: 'update', UntagApi: 'update', DeleteApi: 'delete' },
    role: {
        CreateRole: 'create',
        PutRolePermissionsBoundary: 'update',
        UpdateAssumeRolePolicy: 'update',
        TagRole: 'update',
        DeleteRole: 'delete',
    },
    'role-policy': { PutRolePolicy: null, DeleteRolePolicy: 'delete', DetachRolePolicy: 'delete' },
    'log-group': {
        CreateLogGroup: 'create',
        PutRetentionPolicy: 'update',
        TagLogGroup: 'update',
        DeleteLogGroup: 'delete',
    },
    function: {
        CreateFunction: 'create',
        UpdateFunctionConfiguration: 'update',
        TagFunction: 'update',
        DeleteFunction: 'delete',
    },
    'function-code': { UpdateFunctionCode: 'update' },
    'function-version': { PublishVersion: 'create', SmokeTest: 'update', DeleteVersion: 'delete' },
    alias: { CreateAlias: 'create', UpdateAlias: 'update' },
    permission: { AddPermission: null, RemovePermission: 'delete' },
    integration: { CreateIntegration: 'create', UpdateIntegration: 'update', DeleteIntegration: 'delete' },
    route: { CreateRoute: 'create', UpdateRoute: 'update', DeleteRoute: 'delete' },
    deployment: { CreateDeployment: 'create' },
    stage: { CreateStage: 'create', UpdateStage: 'update', TagStage: 'update' },
    table: { CreateTable: 'create', UpdateTimeToLive: 'update', TagTable: 'update', DeleteTable: 'delete' },
    domain: {
        CreateDomainName: 'create',
        UpdateDomainName: 'update',
        TagDomainName: 'update',
        DeleteDomainName: 'delete',
    },
    'api-mapping': { CreateApiMapping: 'create', UpdateApiMapping: 'update', DeleteApiMapping: 'delete' },
    'dns-record': { CreateRecord: 'create', DeleteRecord: 'delete' },
};
/** WRITES by write. */
const KINDS = new Map(Object.entries(WRITES).flatMap(([resource, writes]) => Object.entries(writes).map(([write, change]) => [write, { resource, change }])));
export class Builder {
    actions = [];
    unchanged = [];
    /** Plans `write` and returns its id, for the `after` of the actions that wait for it. */
    add(write, { id, change, after = [], params, ...shown }) {
        const kind = KINDS.get(write);
        const action = {
            write,
            id: id ?? `${kind.resource}:${kind.change}`,
            resource: kind.resource,
            change: change ?? kind.change,
            ...shown,
            after: [...new Set(after.filter((a) => !!a))],
            params,
        };
        // TypeScript cannot tie KINDS' entry to the Action member of W: the `satisfies` on WRITES checks that they agree.
        this.actions.push(action);
        return action.id;
    }
    /** Plans a Tag… write (id `resource:tag`) where `has` lacks any of the tags `want`; returns its id, if planned. */
    tag(write, has, want, planned) {
        const diff = tagDiff(has, want);
        return diff.length
            ? this.add(write, { id: `${KINDS.get(write).resource}:tag`, diff, ...planned })
            : undefined;
    }
}
function foreignError(foreign, desired) {
    const lines = foreign.map((f) => `${f.kind} "${f.name}" exists but is not tagged as socket-action app "${desired.identity.app}", stage "${desired.identity.stage}", repository "${desired.identity.repo}" (its tags: ${canonical(f.tags)})`);
    return new PlanError(`${lines.join('\n')}\nsocket-action never adopts, changes or deletes a resource it did not create. Choose another app name or stage, or delete or rename that ${foreign[0].kind} yourself if it is a leftover.`);
}
/** A table's key schema as observe describes it (`name:type:role`), for comparison with the registry's. */
export function registryKeys(table) {
    return [`${table.hashKey}:S:HASH`, `${table.rangeKey}:S:RANGE`];
}
/** DynamoDB's TTL is on (or turning on), for whichever attribute. */
const ttlActive = (table) => table.ttl?.status === 'ENABLED' || table.ttl?.status === 'ENABLING';
/** DynamoDB's TTL is on (or turning on) for the registry's attribute. */
const ttlOn = (table, attribute) => table.ttl?.attribute === attribute && ttlActive(table);
/** A table of ours whose shape the registry cannot use, said with what to do: DynamoDB cannot change a table's keys. */
function checkTable(table, want) {
    const keys = registryKeys(want);
    if (canonical(table.keys) !== canonical(keys))
        throw new PlanError(`table ${table.name} has the key schema ${table.keys.join(', ') || '(none)'}, but the connection registry needs ${keys.join(', ')}, and DynamoDB cannot change a table's keys. ` +
            `Delete the table (aws dynamodb delete-table --table-name ${table.name}; the connections it holds are lost, clients reconnect) and deploy again, or remove "connections: registry" from serverless.yml.`);
    const other = table.ttl?.attribute;
    if (other && other !== want.ttlAttribute && ttlActive(table))
        throw new PlanError(`table ${table.name} has its time to live on attribute "${other}", but the connection registry expires items by "${want.ttlAttribute}", and DynamoDB has one TTL attribute per table. ` +
            `Turn it off (aws dynamodb update-time-to-live --table-name ${table.name} --time-to-live-specification Enabled=false,AttributeName=${other}) and deploy again once it is DISABLED.`);
}
export function planDeploy(desired, observed) {
    // A table of another's with the registry's name matters only to a stage that wants the registry.
    const foreign = observed.foreign.filter((f) => f.kind !== 'table' || desired.table);
    if (foreign.length > 0)
        throw foreignError(foreign, desired);
    const b = new Builder();
    const { names, tags } = desired;
    // The API records the domain it is mapped to: an adopted domain carries none of our tags (plan-domain.ts).
    const apiTags = desired.domain ? { ...tags, [TAG_DOMAIN]: desired.domain.name } : tags;
    // ---- API (first: the role policy and the permission need its id) ----
    const kept = survivingApi(observed.apis);
    for (const api of observed.apis) {
        if (api !== kept)
            b.add('DeleteApi', {
                id: `api:delete:${api.id}`,
                name: `${api.name} (${api.id}, duplicate)`,
                params: { ApiId: api.id },
            });
    }
    let apiCreate;
    let apiUpdate;
    const apiId = kept?.id ?? new Ref('apiId');
    if (!kept) {
        apiCreate = b.add('CreateApi', {
            name: names.apiName,
            params: {
                Name: names.apiName,
                ProtocolType: 'WEBSOCKET',
                RouteSelectionExpression: desired.api.routeSelectionExpression,
                Description: desired.api.description,
                Tags: apiTags,
            },
        });
    }
    else {
        const diff = [];
        if (kept.routeSelectionExpression !== desired.api.routeSelectionExpression)
            diff.push({
                field: 'routeSelectionExpression',
                from: kept.routeSelectionExpression,
                to: desired.api.routeSelectionExpression,
            });
        if (kept.description !== desired.api.description)
            diff.push({ field: 'description', from: kept.description, to: desired.api.description });
        if (kept.name !== names.apiName)
            diff.push({ field: 'name', from: kept.name, to: names.apiName });
        if (diff.length) {
            const update = b.add('UpdateApi', {
                name: names.apiName,
                diff,
                params: {
                    ApiId: kept.id,
                    Name: names.apiName,
                    RouteSelectionExpression: desired.api.routeSelectionExpression,
                    Description: desired.api.description,
                },
            });
            // Only a new route selection needs a new deployment; a name or description does not.
            if (diff.some((d) => d.field === 'routeSelectionExpression'))
                apiUpdate = update;
        }
        else
            b.unchanged.push(`api ${names.apiName}`);
        b.tag('TagApi', kept.tags, apiTags, {
            name: names.apiName,
            params: { ResourceArn: arn.apiResource(desired.partition, desired.region, kept.id), Tags: apiTags },
        });
    }
    // ---- role ----
    const role = observed.role;
    let roleCreate;
    let roleBoundary;
    const notes = [];
    const boundary = desired.role.permissionsBoundary;
    const policyDoc = kept ? resolveDocument(desired.role.policy, { apiId: kept.id }) : desired.role.policy;
    if (!role) {
        roleCreate = b.add('CreateRole', {
            name: names.roleName,
            params: {
                RoleName: names.roleName,
                AssumeRolePolicyDocument: JSON.stringify(desired.role.trustPolicy),
                Tags: tagList(tags),
                Description: `socket-action function role of ${desired.identity.app}/${desired.identity.stage}`,
                ...(boundary ? { PermissionsBoundary: boundary } : {}),
            },
        });
    }
    else {
        // The boundary goes on before the policy or trust changes: a deploy policy that requires it (README) allows
        // PutRolePolicy and UpdateAssumeRolePolicy only on a role that has it, and a role never holds a new policy without
        // its limit.
        if (boundary && role.permissionsBoundary !== boundary) {
            roleBoundary = b.add('PutRolePermissionsBoundary', {
                id: 'role:boundary',
                name: names.roleName,
                diff: [{ field: 'permissionsBoundary', from: role.permissionsBoundary, to: boundary }],
                params: { RoleName: names.roleName, PermissionsBoundary: boundary },
            });
        }
        else if (!boundary && role.permissionsBoundary) {
            notes.push(`role ${names.roleName} keeps its permissions boundary ${role.permissionsBoundary}: socket-action never removes one (the README's deploy policy denies it). ` +
                `To drop it on purpose: aws iam delete-role-permissions-boundary --role-name ${names.roleName}`);
        }
        if (canonical(role.trustPolicy) !== canonical(desired.role.trustPolicy)) {
            b.add('UpdateAssumeRolePolicy', {
                id: 'role:trust',
                name: names.roleName,
                diff: [{ field: 'trustPolicy', from: role.trustPolicy, to: desired.role.trustPolicy }],
                after: [roleBoundary],
                params: { RoleName: names.roleName, PolicyDocument: JSON.stringify(desired.role.trustPolicy) },
            });
        }
        b.tag('TagRole', role.tags, tags, {
            name: names.roleName,
            params: { RoleName: names.roleName, Tags: tagList(tags) },
        });
    }
    const currentPolicy = role?.policies[names.policyName];
    let policyPut;
    if (!kept || canonical(currentPolicy) !== canonical(policyDoc)) {
        policyPut = b.add('PutRolePolicy', {
            id: 'role-policy:put',
            change: currentPolicy === undefined ? 'create' : 'update',
            name: `${names.roleName}/${names.policyName}`,
            diff: currentPolicy === undefined ? undefined : [{ field: 'policy', from: currentPolicy, to: policyDoc }],
            after: [roleCreate, roleBoundary, apiCreate],
            params: { RoleName: names.roleName, PolicyName: names.policyName, PolicyDocument: policyDoc },
        });
    }
    else if (role)
        b.unchanged.push(`role ${names.roleName}`);
    // ---- log group: ours before the first invocation, or Lambda makes it untagged and keeps logs forever ----
    const group = observed.logGroup;
    let groupCreate;
    if (!group) {
        groupCreate = b.add('CreateLogGroup', {
            name: desired.logGroup.name,
            params: { logGroupName: desired.logGroup.name, tags, retentionInDays: desired.logGroup.retentionDays },
        });
    }
    else {
        // The default retention is for groups socket-action made: one it adopted (Lambda's, a person's) never has its logs'
        // life shortened unless serverless.yml asks for it. A group it made but whose retention a crash left unset gets it.
        const adopted = !isOurs(group.tags, desired.identity) || group.tags[TAG_ADOPTED] === 'true';
        const groupTags = adopted ? { ...tags, [TAG_ADOPTED]: 'true' } : tags;
        const keepRetention = adopted && desired.logGroup.retentionDefaulted;
        if (keepRetention && group.retentionDays !== desired.logGroup.retentionDays) {
            notes.push(`log group ${group.name} keeps its retention (${group.retentionDays ? `${group.retentionDays} days` : 'never expire'}); set logRetentionDays in serverless.yml to change it`);
        }
        else if (group.retentionDays !== desired.logGroup.retentionDays) {
            b.add('PutRetentionPolicy', {
                id: 'log-group:retention',
                name: group.name,
                diff: [
                    { field: 'retentionInDays', from: group.retentionDays ?? 'never expire', to: desired.logGroup.retentionDays },
                ],
                params: { logGroupName: group.name, retentionInDays: desired.logGroup.retentionDays },
            });
        }
        const tagged = b.tag('TagLogGroup', group.tags, groupTags, {
            name: group.name,
            params: { resourceArn: group.arn, tags: groupTags },
        });
        if ((keepRetention || group.retentionDays === desired.logGroup.retentionDays) && !tagged)
            b.unchanged.push(`log group ${group.name}`);
    }
    // ---- the connection registry's table: ACTIVE and with its TTL before a version that names it is used ----
    const want = desired.table;
    const table = observed.table?.status === 'DELETING' ? undefined : observed.table;
    let tableCreate;
    let tableTtl;
    if (want) {
        if (table)
            checkTable(table, want);
        if (!table) {
            // A DELETING table of the same name (a remove just before) is waited out by CreateTable itself.
            tableCreate = b.add('CreateTable', {
                name: want.name,
                params: {
                    TableName: want.name,
                    AttributeDefinitions: [
                        { AttributeName: want.hashKey, AttributeType: 'S' },
                        { AttributeName: want.rangeKey, AttributeType: 'S' },
                    ],
                    KeySchema: [
                        { AttributeName: want.hashKey, KeyType: 'HASH' },
                        { AttributeName: want.rangeKey, KeyType: 'RANGE' },
                    ],
                    BillingMode: 'PAY_PER_REQUEST',
                    Tags: tagList(tags),
                },
            });
        }
        else if (table.billingMode !== 'PAY_PER_REQUEST') {
            notes.push(`table ${table.name} is billed ${table.billingMode ?? 'PROVISIONED'} (changed outside socket-action, which makes it PAY_PER_REQUEST): it is left as it is`);
        }
        // A crash between CreateTable and UpdateTimeToLive, or TTL turned off by hand: the next run turns it on. A table
        // still CREATING cannot have it yet, so its TTL write (which waits for ACTIVE) is what later writes wait for.
        if (table?.ttl?.status === 'DISABLING') {
            // DynamoDB refuses any TTL change for up to an hour after one that turns it off: leave it, and say so. Reads
            // skip expired members whatever DynamoDB deletes meanwhile.
            notes.push(`table ${table.name} has its time to live being turned off (a change made outside socket-action); DynamoDB refuses another TTL change until that is done (up to an hour): deploy again then, and socket-action turns it on for "${want.ttlAttribute}"`);
        }
        else if (!table || !ttlOn(table, want.ttlAttribute)) {
            tableTtl = b.add('UpdateTimeToLive', {
                id: 'table:ttl',
                name: want.name,
                diff: table
                    ? [
                        {
                            field: 'timeToLive',
                            from: table.ttl ? `${table.ttl.attribute ?? '(none)'} ${table.ttl.status}` : undefined,
                            to: `${want.ttlAttribute} ENABLED`,
                        },
                    ]
                    : undefined,
                after: [tableCreate],
                params: { TableName: want.name, TimeToLiveSpecification: { AttributeName: want.ttlAttribute, Enabled: true } },
            });
        }
        const tagged = table
            ? b.tag('TagTable', table.tags, tags, {
                name: want.name,
                params: { ResourceArn: table.arn, Tags: tagList(tags) },
            })
            : undefined;
        if (table && !tableTtl && !tagged)
            b.unchanged.push(`table ${want.name}`);
    }
    /** What a function write that names the table waits for: the table ACTIVE (CreateTable waits for it). */
    const tableActive = [tableCreate, table?.status === 'CREATING' ? tableTtl : undefined];
    // ---- function ----
    const fn = observed.fn;
    const versions = fn?.versions ?? [];
    const numbers = versions.map((v) => v.version).sort(byNumber);
    const live = fn?.alias;
    const liveVersion = versions.find((v) => v.version === live?.version);
    // A version that holds this code and configuration already (published by a run that died before the alias moved,
    // or the one a rollback moved away from) is used again: the newest such one.
    const ready = liveVersion && !releaseDiff(liveVersion.spec, desired.fn).length
        ? liveVersion
        : [...versions].reverse().find((v) => !releaseDiff(v.spec, desired.fn).length);
    // The write that uploads the code publishes the version too when one is needed (Publish: true): one call, and the
    // version holds exactly the code this run uploaded, whatever another deploy does to $LATEST meanwhile.
    let codeWrite;
    // The last write to the function so far: Lambda takes one change at a time (409 ResourceConflictException while
    // it is Pending or an update is InProgress), so every function write, tags and permissions too, waits for the last.
    let fnWrite;
    if (!fn) {
        fnWrite = codeWrite = b.add('CreateFunction', {
            name: names.functionName,
            after: [roleCreate, ...tableActive],
            params: {
                FunctionName: names.functionName,
                ...functionConfiguration(desired.fn),
                Architectures: [desired.fn.architecture],
                PackageType: 'Zip',
                Publish: true,
                Tags: tags,
            },
        });
    }
    else {
        const diff = functionConfigDiff(fn.spec, desired.fn);
        // A new role (the region-named one replacing the shared one of older stages) is used only once it is complete.
        const roleMoves = fn.spec.roleArn !== desired.fn.roleArn;
        if (diff.length)
            fnWrite = b.add('UpdateFunctionConfiguration', {
                id: 'function:config',
                name: names.functionName,
                diff,
                after: [...(roleMoves ? [roleCreate, policyPut] : []), ...tableActive],
                params: { FunctionName: names.functionName, ...functionConfiguration(desired.fn) },
            });
        const codeDiff = ['codeSha256', 'architecture']
            .filter((f) => fn.spec[f] !== desired.fn[f])
            .map((f) => ({ field: f, from: fn.spec[f], to: desired.fn[f] }));
        if (codeDiff.length) {
            fnWrite = b.add('UpdateFunctionCode', {
                id: 'function:code',
                name: names.functionName,
                diff: codeDiff,
                after: [fnWrite],
                params: {
                    FunctionName: names.functionName,
                    Architectures: [desired.fn.architecture],
                    ...(ready ? {} : { Publish: true }),
                },
            });
            if (!ready)
                codeWrite = fnWrite;
        }
        if (!diff.length && !codeDiff.length)
            b.unchanged.push(`function ${names.functionName}`);
        fnWrite =
            b.tag('TagFunction', fn.tags, tags, {
                name: names.functionName,
                after: [fnWrite],
                params: { Resource: fn.arn, Tags: tags },
            }) ?? fnWrite;
    }
    // ---- versions and the alias `live`, which API Gateway invokes: it moves only to a published, tested version ----
    let published = codeWrite;
    if (!ready && !published) {
        published = b.add('PublishVersion', {
            name: names.functionName,
            diff: liveVersion ? releaseDiff(liveVersion.spec, desired.fn) : undefined,
            after: [fnWrite],
            // CodeSha256: Lambda refuses to publish if $LATEST holds other code than this run uploaded (another deploy).
            params: {
                FunctionName: names.functionName,
                Description: desired.fn.codeSha256,
                CodeSha256: desired.fn.codeSha256,
            },
        });
    }
    const version = ready?.version ?? new Ref('version');
    const previous = previousVersion(live, numbers);
    let aliasWrite;
    // live points to a first release that failed its smoke test: the version is tested again, even if it is current.
    const retest = failedSmoke(live) && desired.release.smokeTest && live?.version === ready?.version;
    if (!live || live.version !== ready?.version || retest) {
        // A stage's first release (no live yet, and no integration of the time before versions invoking the function
        // unqualified) serves nobody: a new API's URL is reported only once its deploy succeeds. So live is created as soon
        // as the version exists, beside the smoke test, and the integration never names an alias that does not exist; a
        // failed smoke test still fails the deploy. Once live exists, it moves only to a version that passed.
        const legacyServing = kept?.integrations.some((i) => i.uri === desired.api.legacyIntegrationUri) ?? false;
        const firstRelease = (!live && !legacyServing) || retest;
        const smoke = desired.release.smokeTest
            ? b.add('SmokeTest', {
                name: ready ? `${names.functionName}:${ready.version}` : `${names.functionName} (the version published)`,
                // Its first invocation: the role's policy in place, our log group there before Lambda makes one, and the
                // registry's table ACTIVE with its TTL. A version just published may still be Pending: the smoke test's
                // first Invoke waits that out (src/aws/smoke.ts), so no poll sits on the path.
                after: [published, ready ? fnWrite : undefined, policyPut, groupCreate, tableCreate, tableTtl],
                params: {
                    FunctionName: names.functionName,
                    Qualifier: version,
                    CodeSha256: desired.fn.codeSha256,
                    FirstRelease: firstRelease,
                },
            })
            : undefined;
        const moved = { FunctionName: names.functionName, Name: names.aliasName, FunctionVersion: version };
        aliasWrite = live
            ? b.add('UpdateAlias', {
                name: names.aliasName,
                diff: retest
                    ? [{ field: 'description', from: live.description, to: '' }]
                    : [{ field: 'version', from: live.version, to: String(version) }],
                after: [published, smoke, policyPut, groupCreate, tableCreate, tableTtl],
                params: {
                    ...moved,
                    Description: retest ? (aliasDescription(previous) ?? '') : aliasDescription(live.version),
                },
            })
            : b.add('CreateAlias', {
                name: names.aliasName,
                after: [published, firstRelease ? undefined : smoke, fnWrite, policyPut, groupCreate, tableCreate, tableTtl],
                params: moved,
            });
    }
    // Versions beyond the newest keepVersions go; never live's (the one a rollback returns to once live moves), the one
    // live moves to, nor the one a rollback returns to now. The last goes only once live has moved: if the smoke test
    // fails, it is still the way back. Every other deletion runs beside the rest of the plan.
    const keep = new Set(numbers.slice(Math.max(0, numbers.length - desired.release.keepVersions + (published ? 1 : 0))));
    for (const v of [live?.version, ready?.version, aliasWrite ? undefined : previous])
        if (v)
            keep.add(v);
    const deleted = numbers.filter((v) => !keep.has(v));
    for (const v of deleted)
        b.add('DeleteVersion', {
            id: `function-version:delete:${v}`,
            name: `${names.functionName}:${v}`,
            after: [v === previous ? aliasWrite : undefined],
            params: { FunctionName: names.functionName, Qualifier: v },
        });
    if (!aliasWrite && !published)
        b.unchanged.push(`alias ${names.aliasName} (version ${live?.version})`);
    // The registry turned off: the table goes once no version live serves names it (the env change, then live moved).
    if (!want && table)
        b.add('DeleteTable', { name: table.name, after: [fnWrite, aliasWrite], params: { TableName: table.name } });
    const liveAfter = ready?.version;
    const release = {
        live: liveAfter,
        publishes: !!published,
        kept: numbers.filter((v) => keep.has(v)).reverse(),
        deleted,
        previous: aliasWrite && live ? live.version : previous,
    };
    // ---- permission: API Gateway may invoke the alias, from this API only ----
    const apiArn = arn.api(desired.partition, desired.region, desired.account, '');
    const sourceArn = kept ? `${apiArn}${kept.id}/*` : new Ref('apiId', apiArn, '/*');
    let aliasGrant;
    if (fn?.aliasPermissionSourceArn !== sourceArn) {
        const had = fn?.aliasPermissionSourceArn;
        const removed = had === undefined
            ? undefined
            : b.add('RemovePermission', {
                id: 'permission:alias:remove',
                name: `${names.aliasPermissionSid} (${names.aliasName})`,
                params: {
                    FunctionName: names.functionName,
                    StatementId: names.aliasPermissionSid,
                    Qualifier: names.aliasName,
                },
            });
        aliasGrant = b.add('AddPermission', {
            id: 'permission:alias:add',
            change: had !== undefined ? 'update' : 'create',
            name: `${names.aliasPermissionSid} (${names.aliasName})`,
            diff: had !== undefined ? [{ field: 'SourceArn', from: had, to: String(sourceArn) }] : undefined,
            // The alias must exist; a permission of the function's waits for its last change (Lambda takes one at a time).
            after: [live ? undefined : aliasWrite, fnWrite, apiCreate, removed],
            params: {
                FunctionName: names.functionName,
                Qualifier: names.aliasName,
                StatementId: names.aliasPermissionSid,
                Action: 'lambda:InvokeFunction',
                Principal: 'apigateway.amazonaws.com',
                SourceArn: sourceArn,
            },
        });
    }
    // ---- integration, routes, deployment, stage ----
    // A stage deployed before versions were published invokes the unqualified function: its integration moves to the
    // alias once the alias and its permission exist, and the old permission goes once the stage is redeployed.
    const uris = [desired.api.integrationUri, desired.api.legacyIntegrationUri];
    const ours = kept?.integrations.filter((i) => i.uri !== undefined && uris.includes(i.uri)) ?? [];
    const routedTo = new Set(kept?.routes.map((r) => r.target?.replace(/^integrations\//, '')) ?? []);
    const rank = (i) => (routedTo.has(i.id) ? 0 : 2) + (i.uri === desired.api.integrationUri ? 0 : 1);
    const integration = [...ours].sort((a, b) => rank(a) - rank(b))[0];
    const integrationId = integration?.id;
    // A changed route selection only takes effect with a new deployment.
    const apiChanges = apiUpdate ? [apiUpdate] : [];
    let integrationWrite;
    if (!integration) {
        integrationWrite = b.add('CreateIntegration', {
            name: 'AWS_PROXY',
            after: [apiCreate],
            params: {
                ApiId: apiId,
                IntegrationType: 'AWS_PROXY',
                IntegrationMethod: 'POST',
                IntegrationUri: desired.api.integrationUri,
                TimeoutInMillis: desired.api.integrationTimeoutMs,
            },
        });
        apiChanges.push(integrationWrite);
    }
    else {
        const diff = [];
        if (integration.uri !== desired.api.integrationUri)
            diff.push({ field: 'IntegrationUri', from: integration.uri, to: desired.api.integrationUri });
        if (integration.type !== 'AWS_PROXY' || integration.timeoutMs !== desired.api.integrationTimeoutMs)
            diff.push({ field: 'TimeoutInMillis', from: integration.timeoutMs, to: desired.api.integrationTimeoutMs });
        if (diff.length) {
            integrationWrite = b.add('UpdateIntegration', {
                name: 'AWS_PROXY',
                diff,
                after: [aliasWrite, aliasGrant],
                params: {
                    ApiId: apiId,
                    IntegrationId: integration.id,
                    IntegrationType: 'AWS_PROXY',
                    TimeoutInMillis: desired.api.integrationTimeoutMs,
                    ...(integration.uri !== desired.api.integrationUri ? { IntegrationUri: desired.api.integrationUri } : {}),
                },
            });
            apiChanges.push(integrationWrite);
        }
    }
    const target = integrationId ? `integrations/${integrationId}` : new Ref('integrationId', 'integrations/');
    const routeWrites = [];
    for (const key of desired.api.routeKeys) {
        const route = kept?.routes.find((r) => r.key === key);
        if (!route) {
            routeWrites.push(b.add('CreateRoute', {
                id: `route:create:${key}`,
                name: key,
                after: [apiCreate, integrationWrite],
                params: { ApiId: apiId, RouteKey: key, Target: target },
            }));
        }
        else if (route.target !== target) {
            routeWrites.push(b.add('UpdateRoute', {
                id: `route:update:${key}`,
                name: key,
                diff: [{ field: 'Target', from: route.target, to: String(target) }],
                after: [integrationWrite],
                params: { ApiId: apiId, RouteId: route.id, Target: target },
            }));
        }
    }
    for (const route of kept?.routes ?? []) {
        if (!desired.api.routeKeys.includes(route.key)) {
            routeWrites.push(b.add('DeleteRoute', {
                id: `route:delete:${route.key}`,
                name: route.key,
                params: { ApiId: apiId, RouteId: route.id },
            }));
        }
    }
    apiChanges.push(...routeWrites);
    // Integrations nothing routes to any more (a race, or a hand edit) go once the routes have moved.
    for (const extra of kept?.integrations ?? []) {
        if (extra.id !== integration?.id) {
            b.add('DeleteIntegration', {
                id: `integration:delete:${extra.id}`,
                name: extra.id,
                after: routeWrites,
                params: { ApiId: apiId, IntegrationId: extra.id },
            });
        }
    }
    const stage = kept?.stages.find((s) => s.name === names.stageName);
    const marker = integrationId ? deploymentMarker(desired, integrationId) : undefined;
    const needsDeployment = apiChanges.length > 0 || !stage || !stage.deploymentId || stage.description !== marker;
    let deployment;
    if (needsDeployment) {
        deployment = b.add('CreateDeployment', {
            name: names.stageName,
            diff: stage?.deploymentId
                ? [{ field: 'marker', from: stage.description, to: marker ?? '(new integration)' }]
                : undefined,
            after: [apiCreate, ...apiChanges],
            params: { ApiId: apiId, Description: `socket-action ${desired.identity.app}/${desired.identity.stage}` },
        });
    }
    const stageSettings = {
        DefaultRouteSettings: desired.api.throttle
            ? { ThrottlingBurstLimit: desired.api.throttle.burstLimit, ThrottlingRateLimit: desired.api.throttle.rateLimit }
            : undefined,
    };
    const stageKey = { ApiId: apiId, StageName: names.stageName };
    // The deployment this plan makes, and the marker of what it contains (written once the deployment succeeded).
    const deployed = { DeploymentId: new Ref('deploymentId'), Description: new Ref('marker') };
    let stageWrite;
    if (!stage) {
        const params = { ...stageKey, ...deployed, Tags: tags, ...stageSettings };
        stageWrite = b.add('CreateStage', { name: names.stageName, after: [deployment], params });
    }
    else {
        const diff = [];
        // Only a configured throttle is enforced: UpdateStage cannot unset limits, so removing `throttle` leaves them.
        const throttle = desired.api.throttle;
        if (throttle &&
            (stage.throttle?.burstLimit !== throttle.burstLimit || stage.throttle?.rateLimit !== throttle.rateLimit)) {
            diff.push({ field: 'throttle', from: stage.throttle, to: desired.api.throttle });
        }
        if (deployment || diff.length) {
            stageWrite = b.add('UpdateStage', {
                name: names.stageName,
                diff: diff.length ? diff : undefined,
                after: [deployment],
                params: { ...stageKey, ...(deployment ? deployed : {}), ...(diff.length ? stageSettings : {}) },
            });
        }
        else
            b.unchanged.push(`stage ${names.stageName}`);
        // A stage that exists is on the API that exists.
        if (kept)
            b.tag('TagStage', stage.tags, tags, {
                name: names.stageName,
                params: {
                    ResourceArn: arn.stageResource(desired.partition, desired.region, kept.id, names.stageName),
                    Tags: tags,
                },
            });
    }
    // ---- the custom domain: its name, the mapping to this stage, its alias record (plan-domain.ts) ----
    const { mappingWrites } = planDomain(b, desired, observed, {
        apiId,
        ownApiIds: new Set(observed.apis.map((a) => a.id)),
        // A mapping names the stage: it must exist.
        mappingAfter: [apiCreate, stage ? undefined : stageWrite],
        notes,
    });
    // A duplicate API goes once no domain maps to it.
    for (const action of b.actions)
        if (action.write === 'DeleteApi')
            action.after = [...new Set([...action.after, ...mappingWrites])];
    // A stage without a domain any more drops the API's tag once its mappings are gone: the tag is how the next run
    // finds a mapping left by a run that died, on a domain name that is not ours.
    if (!desired.domain && kept?.tags[TAG_DOMAIN] !== undefined)
        b.add('UntagApi', {
            id: 'api:untag',
            name: names.apiName,
            diff: [{ field: `tags.${TAG_DOMAIN}`, from: kept.tags[TAG_DOMAIN], to: undefined }],
            after: mappingWrites,
            params: { ResourceArn: arn.apiResource(desired.partition, desired.region, kept.id), TagKeys: [TAG_DOMAIN] },
        });
    // The unqualified function's permission served stages deployed before the alias: it goes once the stage invokes it.
    if (fn?.permissionSourceArn !== undefined)
        b.add('RemovePermission', {
            id: 'permission:remove',
            name: names.permissionSid,
            after: [integrationWrite, deployment, stageWrite],
            params: { FunctionName: names.functionName, StatementId: names.permissionSid },
        });
    if (observed.legacyRole && observed.fn?.spec.roleArn !== observed.legacyRole.arn)
        notes.push(legacyRoleNote(observed.legacyRole.name));
    else if (observed.legacyRole)
        notes.push(`this region's function moves from role ${observed.legacyRole.name}, which every region of the stage shared, to its own role ${names.roleName}. ${legacyRoleNote(observed.legacyRole.name)}`);
    // ---- what the desired state itself notes (secrets in parameters that are not encrypted) ----
    notes.push(...(desired.notes ?? []));
    return {
        actions: order(b.actions),
        apiId: kept?.id,
        integrationId: integration?.id,
        unchanged: b.unchanged,
        ...(notes.length ? { notes } : {}),
        release,
    };
}
/** Roles are global: the shared role of an older stage may still serve this stage in another region. */
function legacyRoleNote(name) {
    return (`role ${name} is left as it is: stages deployed before roles carried the region shared it between regions, and a function in another ` +
        `region may still use it. Once every region of the stage has been deployed again (or removed), delete it: ` +
        `aws iam delete-role-policy --role-name ${name} --policy-name socket-action && aws iam delete-role --role-name ${name}`);
}
/**
 * Moves the alias `live` back, in one write: to `to`, or to the version a rollback returns to (previousVersion). The
 * alias then records the version before that one, so a second rollback goes one further back. Refuses when there is
 * nothing to go back to. A later deploy moves `live` to the version holding serverless.yml's code again.
 */
export function planRollback(names, observed, to) {
    const fn = observed.fn;
    if (!fn)
        throw new PlanError(`function ${names.functionName} does not exist: there is nothing to roll back`);
    const live = fn.alias;
    if (!live)
        throw new PlanError(`function ${names.functionName} has no alias ${names.aliasName}: the stage was deployed before versions were published; deploy it once, then there is a version to come back to`);
    const numbers = fn.versions.map((v) => v.version).sort(byNumber);
    const kept = `versions kept: ${numbers.join(', ') || 'none'}`;
    if (to !== undefined && !numbers.includes(to))
        throw new PlanError(`version ${to} of ${names.functionName} does not exist (${kept})`);
    const target = to ?? previousVersion(live, numbers);
    if (target === undefined)
        throw new PlanError(`there is no version to roll back to: ${names.aliasName} points to version ${live.version}, and no version before it is kept (${kept})`);
    const release = {
        live: target,
        publishes: false,
        kept: [...numbers].reverse(),
        deleted: [],
        // Rolled forward (--to a newer version): back is where live was. Otherwise the version below the target.
        previous: Number(target) > Number(live.version) ? live.version : previousVersion({ version: target }, numbers),
    };
    if (target === live.version)
        return { actions: [], unchanged: [`alias ${names.aliasName} (version ${live.version})`], release };
    const b = new Builder();
    b.add('UpdateAlias', {
        name: names.aliasName,
        diff: [{ field: 'version', from: live.version, to: target }],
        params: {
            FunctionName: names.functionName,
            Name: names.aliasName,
            FunctionVersion: target,
            // Always written: an empty one clears a 'previous' that no longer applies.
            Description: aliasDescription(release.previous) ?? '',
        },
    });
    return { actions: b.actions, unchanged: [], release };
}
/** Everything tagged for this app, stage and repository, in dependency order. Nothing else. */
export function planRemove(_desired, observed) {
    const b = new Builder();
    // Mappings first: API Gateway keeps a domain's mapping to an API that is being deleted from serving it.
    const unmapped = planDomainRemoval(b, observed);
    for (const api of observed.apis) {
        b.add('DeleteApi', {
            id: `api:delete:${api.id}`,
            name: `${api.name} (${api.id})`,
            after: unmapped,
            params: { ApiId: api.id },
        });
    }
    let fnDelete;
    if (observed.fn) {
        fnDelete = b.add('DeleteFunction', { name: observed.fn.name, params: { FunctionName: observed.fn.name } });
    }
    // After the function: no invocation uses the table any more (a DELETING one is going already).
    if (observed.table && observed.table.status !== 'DELETING') {
        b.add('DeleteTable', {
            name: observed.table.name,
            after: [fnDelete],
            params: { TableName: observed.table.name },
        });
    }
    // After the function: a last invocation would make the group again, untagged.
    if (observed.logGroup) {
        b.add('DeleteLogGroup', {
            name: observed.logGroup.name,
            after: [fnDelete],
            params: { logGroupName: observed.logGroup.name },
        });
    }
    if (observed.role) {
        const role = observed.role;
        const detach = [
            ...Object.keys(role.policies).map((p) => b.add('DeleteRolePolicy', {
                id: `role-policy:delete:${p}`,
                name: `${role.name}/${p}`,
                params: { RoleName: role.name, PolicyName: p },
            })),
            ...role.attachedPolicyArns.map((p) => b.add('DetachRolePolicy', {
                id: `role-policy:detach:${p}`,
                name: `${role.name}/${p}`,
                params: { RoleName: role.name, PolicyArn: p },
            })),
        ];
        // IAM refuses to delete a role that still has policies; nothing else has to wait for anything.
        b.add('DeleteRole', { name: role.name, after: detach, params: { RoleName: role.name } });
    }
    return {
        actions: order(b.actions),
        unchanged: [],
        ...(observed.legacyRole ? { notes: [legacyRoleNote(observed.legacyRole.name)] } : {}),
    };
}
/** A stable topological order: each action after everything it waits for, otherwise in the order planned. */
function order(actions) {
    const byId = new Map(actions.map((a) => [a.id, a]));
    const done = new Set();
    const out = [];
    const visit = (a) => {
        if (done.has(a.id))
            return;
        done.add(a.id);
        for (const dep of a.after) {
            const d = byId.get(dep);
            if (d)
                visit(d);
        }
        out.push(a);
    };
    actions.forEach(visit);
    return out;
}
