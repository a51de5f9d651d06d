import { REGISTRY_TABLE_SHAPE, REGISTRY_TABLE_VARIABLE } from "../../runtime/registry-table.js";
import { secretsGrant } from "./desired-secrets.js";
import { arn, ownTags, resourceNames } from "./names.js";
import { Ref } from "./refs.js";
export const ROUTE_KEYS = ['$connect', '$disconnect', '$default'];
export const ROUTE_SELECTION = '$request.body.route';
export const INTEGRATION_TIMEOUT_MS = 29_000;
/** What the runtime does with the registry's table: items only, never the table itself. */
export const TABLE_DATA_ACTIONS = [
    'dynamodb:BatchWriteItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
];
export function desiredState({ socket, identity, region, account, partition, codeSha256, handler, version, smokeTest = false, secrets, }) {
    const names = resourceNames(identity);
    const functionArn = arn.function(partition, region, account, names.functionName);
    const logGroup = arn.logGroup(partition, region, account, names.functionName);
    const table = socket.connections === 'registry'
        ? {
            name: names.tableName,
            arn: arn.table(partition, region, account, names.tableName),
            ...REGISTRY_TABLE_SHAPE,
        }
        : undefined;
    // serverless.yml's secrets: one variable of references, and statements naming exactly what they reference
    const grant = secretsGrant(socket.secrets, secrets, { partition, region, account, configFile: socket.configFile });
    const policy = {
        Version: '2012-10-17',
        Statement: [
            {
                Sid: 'OwnLogs',
                Effect: 'Allow',
                Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
                Resource: [logGroup, `${logGroup}:*`],
            },
            {
                Sid: 'OwnConnections',
                Effect: 'Allow',
                Action: 'execute-api:ManageConnections',
                // The API's id: the planner fills it in when the API exists, apply when the same run creates it.
                Resource: new Ref('apiId', arn.api(partition, region, account, ''), `/${names.stageName}/*/@connections/*`),
            },
            ...(table
                ? [
                    {
                        Sid: 'OwnConnectionRegistry',
                        Effect: 'Allow',
                        Action: TABLE_DATA_ACTIONS,
                        Resource: [table.arn, `${table.arn}/index/*`],
                    },
                ]
                : []),
            ...(grant?.statements ?? []),
            ...socket.policy,
        ],
    };
    return {
        identity,
        region,
        account,
        partition,
        names,
        tags: ownTags(identity, version),
        role: {
            trustPolicy: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
            },
            policy,
            ...(socket.permissionsBoundary ? { permissionsBoundary: socket.permissionsBoundary } : {}),
        },
        logGroup: {
            name: names.logGroupName,
            retentionDays: socket.logRetentionDays,
            retentionDefaulted: socket.defaulted.includes('logRetentionDays'),
        },
        fn: {
            runtime: socket.runtime,
            architecture: socket.architecture,
            memory: socket.memory,
            timeout: socket.timeout,
            // serverless.yml cannot set SOCKET_ACTION_* (src/config): the name is the runtime's way to its table.
            env: {
                ...socket.env,
                ...(table ? { [REGISTRY_TABLE_VARIABLE]: table.name } : {}),
                ...grant?.env,
            },
            description: socket.description,
            handler,
            roleArn: arn.role(partition, account, names.roleName),
            codeSha256,
        },
        ...(table ? { table } : {}),
        ...(socket.domain
            ? {
                domain: {
                    name: socket.domain.name,
                    endpointType: 'REGIONAL',
                    securityPolicy: 'TLS_1_2',
                    mappingKey: '',
                    ...(socket.domain.hostedZone ? { hostedZone: socket.domain.hostedZone } : {}),
                },
            }
            : {}),
        release: { alias: names.aliasName, keepVersions: socket.keepVersions, smokeTest },
        ...(grant?.notes.length ? { notes: grant.notes } : {}),
        api: {
            description: `socket-action ${identity.app} (${identity.repo})`,
            routeSelectionExpression: ROUTE_SELECTION,
            routeKeys: ROUTE_KEYS,
            integrationUri: arn.lambdaIntegration(partition, region, `${functionArn}:${names.aliasName}`),
            legacyIntegrationUri: arn.lambdaIntegration(partition, region, functionArn),
            integrationTimeoutMs: INTEGRATION_TIMEOUT_MS,
            throttle: socket.throttle,
        },
    };
}
