// The AWS test bed itself: moto behind the shim, driven by the real AWS SDK v3 clients.
import { after, before, beforeEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { performance } from 'node:perf_hooks'
import { zipSync } from 'fflate'
import { IAMClient, CreateRoleCommand, GetRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam'
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import {
  LambdaClient,
  AddPermissionCommand,
  CreateFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  type InvokeCommandInput,
  ListTagsCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda'
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateDeploymentCommand,
  CreateRouteCommand,
  CreateStageCommand,
  DeleteApiCommand,
  DeleteRouteCommand,
  DeleteStageCommand,
  GetApiCommand,
  GetApisCommand,
  GetDeploymentsCommand,
  GetRoutesCommand,
  GetStageCommand,
  GetStagesCommand,
  TagResourceCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-apigatewayv2'
import { startMoto, type Moto } from './helpers/moto.ts'
import { startShim, type Shim } from './helpers/aws-shim.ts'

// The SDK warns once that its 2027 releases need node 22; the project still supports node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
})
const ZIP = zipSync({
  'index.mjs': new TextEncoder().encode('export const handler = async () => ({ statusCode: 200 })'),
})

let moto: Moto
let shim: Shim
const created: Array<{ destroy(): void }> = []

function aws(maxAttempts = 3) {
  const config = {
    endpoint: shim.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts,
  }
  const clients = {
    iam: new IAMClient(config),
    sts: new STSClient(config),
    lambda: new LambdaClient(config),
    gw: new ApiGatewayV2Client(config),
  }
  created.push(...Object.values(clients))
  return clients
}

async function createRole(iam: IAMClient, name = 'socket-role'): Promise<string> {
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST_POLICY }))
  return Role!.Arn!
}

function createFunction(lambda: LambdaClient, role: string, name = 'socket-fn') {
  return lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Role: role,
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Code: { ZipFile: ZIP },
    }),
  )
}

async function createWebSocketApi(gw: ApiGatewayV2Client, name = 'socket-api'): Promise<string> {
  const api = await gw.send(
    new CreateApiCommand({ Name: name, ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.route' }),
  )
  return api.ApiId!
}

/** Asserts that `promise` rejects with the AWS error `name` and HTTP `status`; returns the error. */
async function rejectsWith(promise: Promise<unknown>, name: string, status: number): Promise<Error> {
  const error = await promise.then(
    () => assert.fail(`expected ${name}, got success`),
    (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } },
  )
  assert.equal(error.name, name, error.message)
  assert.equal(error.$metadata?.httpStatusCode, status)
  return error
}

const summary = (calls = shim.calls()) => calls.map((c) => `${c.service} ${c.operation} ${c.kind} ${c.status}`)

before(async () => {
  moto = await startMoto()
  shim = await startShim({ target: moto.endpoint })
})

after(async () => {
  for (const client of created) client.destroy()
  await shim?.stop()
  await moto?.stop()
})

beforeEach(async () => {
  await moto.reset()
  shim.reset()
})

test('startMoto with a missing moto_server fails with install instructions', async () => {
  await assert.rejects(startMoto({ binary: '/nonexistent/.venv/bin/moto_server' }), (error: Error) => {
    assert.match(error.message, /moto_server not found at \/nonexistent/)
    assert.match(error.message, /python3 -m venv \.venv && \.venv\/bin\/pip install "moto\[server\]==5\.2\.5"/)
    assert.match(error.message, /bash \.ci\/run/)
    return true
  })
})

test('the call log names every operation of every service, with its kind and status', async () => {
  shim.configure({ roleUnassumableCalls: 0, pendingReads: 0 })
  const { iam, sts, lambda, gw } = aws()
  const role = await createRole(iam)
  await iam.send(new GetRoleCommand({ RoleName: 'socket-role' }))
  await sts.send(new GetCallerIdentityCommand({}))
  const fn = await createFunction(lambda, role)
  await lambda.send(new GetFunctionCommand({ FunctionName: 'socket-fn' }))
  await lambda.send(new ListTagsCommand({ Resource: fn.FunctionArn }))
  const apiId = await createWebSocketApi(gw)
  await gw.send(new GetApisCommand({}))
  await gw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: '$connect' }))
  await gw.send(new GetRoutesCommand({ ApiId: apiId }))
  await gw.send(
    new TagResourceCommand({ ResourceArn: `arn:aws:apigateway:us-east-1::/apis/${apiId}`, Tags: { app: 'socket' } }),
  )

  assert.deepEqual(summary(), [
    'iam CreateRole write 200',
    'iam GetRole read 200',
    'sts GetCallerIdentity read 200',
    'lambda CreateFunction write 201',
    'lambda GetFunction read 200',
    'lambda ListTags read 200',
    'apigateway CreateApi write 200',
    'apigateway GetApis read 200',
    'apigateway CreateRoute write 200',
    'apigateway GetRoutes read 200',
    'apigateway TagResource write 200',
  ])
  for (const call of shim.calls()) assert.ok(call.start <= call.end && call.method && call.path.startsWith('/'))
  assert.deepEqual(
    shim.writes().map((c) => c.operation),
    ['CreateRole', 'CreateFunction', 'CreateApi', 'CreateRoute', 'TagResource'],
  )
  shim.clearCalls()
  assert.deepEqual(shim.calls(), [])
})

describe('API Gateway v2 gaps', () => {
  test('CreateDeployment, GetDeployments and UpdateStage round trip', async () => {
    const { gw } = aws()
    const apiId = await createWebSocketApi(gw)
    await gw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: '$default' }))
    await gw.send(new CreateStageCommand({ ApiId: apiId, StageName: 'prod' }))

    const first = await gw.send(new CreateDeploymentCommand({ ApiId: apiId, StageName: 'prod', Description: 'first' }))
    assert.equal(first.$metadata.httpStatusCode, 201)
    assert.equal(first.DeploymentStatus, 'DEPLOYED')
    assert.equal(first.Description, 'first')
    assert.ok(first.DeploymentId && first.CreatedDate instanceof Date)
    assert.equal(
      (await gw.send(new GetStageCommand({ ApiId: apiId, StageName: 'prod' }))).DeploymentId,
      first.DeploymentId,
    )

    const second = await gw.send(new CreateDeploymentCommand({ ApiId: apiId }))
    const { Items } = await gw.send(new GetDeploymentsCommand({ ApiId: apiId }))
    assert.deepEqual(
      Items?.map((d) => d.DeploymentId),
      [first.DeploymentId, second.DeploymentId],
    )

    const updated = await gw.send(
      new UpdateStageCommand({
        ApiId: apiId,
        StageName: 'prod',
        DeploymentId: second.DeploymentId,
        DefaultRouteSettings: { ThrottlingBurstLimit: 50, ThrottlingRateLimit: 100 },
      }),
    )
    assert.equal(updated.DeploymentId, second.DeploymentId)
    assert.deepEqual(updated.DefaultRouteSettings, {
      DataTraceEnabled: false,
      DetailedMetricsEnabled: false,
      LoggingLevel: 'OFF',
      ThrottlingBurstLimit: 50,
      ThrottlingRateLimit: 100,
    })
    const stages = await gw.send(new GetStagesCommand({ ApiId: apiId }))
    assert.equal(stages.Items?.[0]?.DeploymentId, second.DeploymentId)
    assert.equal(stages.Items?.[0]?.DefaultRouteSettings?.ThrottlingRateLimit, 100)

    await rejectsWith(
      gw.send(new UpdateStageCommand({ ApiId: apiId, StageName: 'prod', DeploymentId: 'nope12' })),
      'NotFoundException',
      404,
    )
    await rejectsWith(
      gw.send(new UpdateStageCommand({ ApiId: apiId, StageName: 'nope', AutoDeploy: true })),
      'NotFoundException',
      404,
    )
    await rejectsWith(gw.send(new CreateDeploymentCommand({ ApiId: 'nope' })), 'NotFoundException', 404)
    assert.deepEqual(
      shim
        .calls()
        .filter((c) => c.operation.includes('Deployment') || c.operation === 'UpdateStage')
        .map((c) => `${c.operation} ${c.kind}`),
      [
        'CreateDeployment write',
        'CreateDeployment write',
        'GetDeployments read',
        'UpdateStage write',
        'UpdateStage write',
        'UpdateStage write',
        'CreateDeployment write',
      ],
    )
  })

  test('a stage with AutoDeploy gets a deployment after every route change', async () => {
    const { gw } = aws()
    const apiId = await createWebSocketApi(gw)
    const stage = await gw.send(new CreateStageCommand({ ApiId: apiId, StageName: 'live', AutoDeploy: true }))
    assert.equal(stage.AutoDeploy, true)
    await gw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: '$connect' }))
    const { Items } = await gw.send(new GetDeploymentsCommand({ ApiId: apiId }))
    assert.equal(Items?.length, 2)
    assert.ok(Items?.every((d) => d.AutoDeployed))
    assert.equal(
      (await gw.send(new GetStageCommand({ ApiId: apiId, StageName: 'live' }))).DeploymentId,
      Items?.at(-1)?.DeploymentId,
    )
  })

  test('the ApiEndpoint of a WEBSOCKET API is wss://, of an HTTP API https://', async () => {
    const { gw } = aws()
    const ws = await gw.send(
      new CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.route' }),
    )
    assert.equal(ws.ApiEndpoint, `wss://${ws.ApiId}.execute-api.us-east-1.amazonaws.com`)
    assert.equal((await gw.send(new GetApiCommand({ ApiId: ws.ApiId }))).ApiEndpoint, ws.ApiEndpoint)
    const http = await gw.send(new CreateApiCommand({ Name: 'http', ProtocolType: 'HTTP' }))
    assert.match(http.ApiEndpoint ?? '', /^https:\/\//)
    const { Items } = await gw.send(new GetApisCommand({}))
    assert.deepEqual(Items?.map((api) => api.ApiEndpoint).sort(), [http.ApiEndpoint, ws.ApiEndpoint].sort())
  })

  test('duplicates conflict and deleting unknown resources is NotFound', async () => {
    const { gw } = aws()
    const apiId = await createWebSocketApi(gw)
    await gw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: '$connect' }))
    const error = await rejectsWith(
      gw.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: '$connect' })),
      'ConflictException',
      409,
    )
    assert.match(error.message, /\$connect/)
    await gw.send(new CreateStageCommand({ ApiId: apiId, StageName: 'prod' }))
    await rejectsWith(gw.send(new CreateStageCommand({ ApiId: apiId, StageName: 'prod' })), 'ConflictException', 409)

    await rejectsWith(gw.send(new DeleteRouteCommand({ ApiId: apiId, RouteId: 'nope' })), 'NotFoundException', 404)
    await rejectsWith(gw.send(new DeleteStageCommand({ ApiId: apiId, StageName: 'nope' })), 'NotFoundException', 404)
    await rejectsWith(gw.send(new DeleteApiCommand({ ApiId: 'nope' })), 'NotFoundException', 404)
    await gw.send(new DeleteStageCommand({ ApiId: apiId, StageName: 'prod' }))
    await gw.send(new DeleteApiCommand({ ApiId: apiId }))
    await rejectsWith(gw.send(new GetRoutesCommand({ ApiId: apiId })), 'NotFoundException', 404)
  })
})

describe('Lambda and IAM asynchrony', () => {
  test('a duplicate permission statement id is a ResourceConflictException', async () => {
    // An Active function: a Pending one refuses AddPermission for another reason (see the conflict tests).
    shim.configure({ roleUnassumableCalls: 0, pendingReads: 0 })
    const { iam, lambda } = aws()
    await createFunction(lambda, await createRole(iam))
    const permission = {
      FunctionName: 'socket-fn',
      StatementId: 'apigw',
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
    }
    await lambda.send(new AddPermissionCommand(permission))
    const error = await rejectsWith(lambda.send(new AddPermissionCommand(permission)), 'ResourceConflictException', 409)
    assert.match(error.message, /statement id \(apigw\) provided already exists/)
    await lambda.send(new AddPermissionCommand({ ...permission, StatementId: 'other' }))
  })

  test('a new function is Pending for the configured number of reads, then Active', async () => {
    // The refused update counts as one of them: time passes for a caller that retries instead of polling.
    shim.configure({ roleUnassumableCalls: 0, pendingReads: 3 })
    const { iam, lambda } = aws()
    const fn = await createFunction(lambda, await createRole(iam))
    assert.equal(fn.State, 'Pending')
    await rejectsWith(
      lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'socket-fn', ZipFile: ZIP })),
      'ResourceConflictException',
      409,
    )
    assert.equal(
      (await lambda.send(new GetFunctionCommand({ FunctionName: 'socket-fn' }))).Configuration?.State,
      'Pending',
    )
    assert.equal(
      (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.FunctionArn }))).State,
      'Pending',
    )
    assert.equal(
      (await lambda.send(new GetFunctionCommand({ FunctionName: 'socket-fn' }))).Configuration?.State,
      'Active',
    )
  })

  test('an update is InProgress for the configured reads, and a second update meanwhile conflicts', async () => {
    shim.configure({ roleUnassumableCalls: 0, pendingReads: 0, inProgressReads: 2 })
    const { iam, lambda } = aws()
    const fn = await createFunction(lambda, await createRole(iam))
    assert.equal(fn.State, 'Active')
    const updated = await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'socket-fn', Timeout: 10 }),
    )
    assert.equal(updated.LastUpdateStatus, 'InProgress')
    const error = await rejectsWith(
      lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'socket-fn', ZipFile: ZIP })),
      'ResourceConflictException',
      409,
    )
    assert.equal(
      error.message,
      `The operation cannot be performed at this time. An update is in progress for resource: ${fn.FunctionArn}`,
    )
    assert.equal(
      (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'socket-fn' }))).LastUpdateStatus,
      'InProgress',
    )
    const settled = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'socket-fn' }))
    assert.equal(settled.LastUpdateStatus, 'Successful')
    assert.equal(settled.Timeout, 10)
    assert.equal(
      (await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'socket-fn', ZipFile: ZIP }))).LastUpdateStatus,
      'InProgress',
    )
  })

  test('a version published with the code starts Pending like its function: reads and Invokes of it count down', async () => {
    shim.configure({ roleUnassumableCalls: 0, pendingReads: 2 })
    const { iam, lambda } = aws()
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'socket-fn',
        Role: await createRole(iam),
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Code: { ZipFile: ZIP },
        Publish: true,
      }),
    )
    assert.equal(created.Version, '1')
    const version = { FunctionName: 'socket-fn', Qualifier: '1' }
    assert.equal((await lambda.send(new GetFunctionConfigurationCommand(version))).State, 'Pending')
    const refused = await rejectsWith(
      lambda.send(new InvokeCommand({ ...version, InvocationType: 'DryRun' })),
      'ResourceConflictException',
      409,
    )
    assert.match(refused.message, /state: Pending/)
    assert.equal((await lambda.send(new InvokeCommand({ ...version, InvocationType: 'DryRun' }))).StatusCode, 204)
    assert.equal((await lambda.send(new GetFunctionConfigurationCommand(version))).State, 'Active')
  })

  test('a role just created cannot be assumed by Lambda for a while', async () => {
    shim.configure({ pendingReads: 0, roleUnassumableCalls: 2 })
    const { iam, lambda } = aws()
    const role = await createRole(iam)
    for (let i = 0; i < 2; i++) {
      const error = await rejectsWith(createFunction(lambda, role), 'InvalidParameterValueException', 400)
      assert.equal(error.message, 'The role defined for the function cannot be assumed by Lambda.')
    }
    assert.equal((await createFunction(lambda, role)).State, 'Active')

    const second = await createRole(iam, 'second-role')
    await rejectsWith(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'socket-fn', Role: second })),
      'InvalidParameterValueException',
      400,
    )
  })
})

describe('Lambda Invoke (moto needs Docker for it)', () => {
  const CJS = zipSync({
    'index.js': new TextEncoder().encode(
      [
        'exports.handler = async (event) => {',
        "  console.log('got', event.n)",
        "  if (event.fail) throw new RangeError('too far: ' + event.n)",
        '  return { n: event.n * 2, memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, mode: process.env.MODE }',
        '}',
      ].join('\n'),
    ),
  })
  const invoke = (lambda: LambdaClient, payload: unknown, extra: Partial<InvokeCommandInput> = {}) =>
    lambda.send(new InvokeCommand({ FunctionName: 'socket-fn', Payload: JSON.stringify(payload), ...extra }))
  const payloadOf = (out: { Payload?: Uint8Array }) => JSON.parse(Buffer.from(out.Payload!).toString())

  async function cjsFunction(lambda: LambdaClient, role: string) {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'socket-fn',
        Role: role,
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Code: { ZipFile: CJS },
        MemorySize: 256,
        Environment: { Variables: { MODE: 'one' } },
      }),
    )
  }

  test("GetFunction's Code.Location serves the uploaded zip, and fetching it is no AWS call", async () => {
    shim.configure({ roleUnassumableCalls: 0, pendingReads: 0 })
    const { iam, lambda } = aws()
    await cjsFunction(lambda, await createRole(iam))
    const { Code } = await lambda.send(new GetFunctionCommand({ FunctionName: 'socket-fn' }))
    assert.ok(Code?.Location?.startsWith(shim.endpoint), Code?.Location)
    shim.clearCalls()
    const fetched = Buffer.from(await (await fetch(Code!.Location!)).arrayBuffer())
    assert.deepEqual(fetched, Buffer.from(CJS))
    assert.deepEqual(shim.calls(), [])
  })

  test("runs the version invoked, with its env and memory; a throw is Unhandled with Lambda's error payload", async () => {
    shim.configure({ roleUnassumableCalls: 0, pendingReads: 0, inProgressReads: 0 })
    const { iam, lambda } = aws()
    await cjsFunction(lambda, await createRole(iam))
    await lambda.send(new PublishVersionCommand({ FunctionName: 'socket-fn' }))
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'socket-fn',
        Environment: { Variables: { MODE: 'two' } },
      }),
    )
    const latest = await invoke(lambda, { n: 21 }, { LogType: 'Tail' })
    assert.equal(latest.StatusCode, 200)
    assert.equal(latest.FunctionError, undefined)
    assert.deepEqual(payloadOf(latest), { n: 42, memory: '256', mode: 'two' })
    // A configuration change reaches the next invocation (new environments), as on Lambda.
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'socket-fn',
        Environment: { Variables: { MODE: 'three' } },
      }),
    )
    assert.equal(payloadOf(await invoke(lambda, { n: 0 })).mode, 'three')
    assert.match(Buffer.from(latest.LogResult!, 'base64').toString(), /got 21/)
    const v1 = await invoke(lambda, { n: 1 }, { Qualifier: '1' })
    assert.equal(v1.ExecutedVersion, '1')
    assert.deepEqual(payloadOf(v1), { n: 2, memory: '256', mode: 'one' })

    const failed = await invoke(lambda, { n: 3, fail: true })
    assert.equal(failed.StatusCode, 200)
    assert.equal(failed.FunctionError, 'Unhandled')
    const error = payloadOf(failed)
    assert.equal(error.errorType, 'RangeError')
    assert.equal(error.errorMessage, 'too far: 3')
    assert.equal(error.trace[0], 'RangeError: too far: 3')
    assert.match(error.trace[1], /\(\/var\/task\/index\.js:3:\d+\)$/)
  })

  test('DryRun answers 204 without running; a Pending function refuses $LATEST; an unknown version is 404', async () => {
    shim.configure({ roleUnassumableCalls: 0, pendingReads: 1 })
    const { iam, lambda } = aws()
    await cjsFunction(lambda, await createRole(iam))
    await rejectsWith(invoke(lambda, { n: 1 }), 'ResourceConflictException', 409)
    await lambda.send(new GetFunctionCommand({ FunctionName: 'socket-fn' })) // the one Pending read
    assert.equal((await invoke(lambda, {}, { InvocationType: 'DryRun' })).StatusCode, 204)
    await rejectsWith(invoke(lambda, {}, { Qualifier: '9' }), 'ResourceNotFoundException', 404)
  })
})

describe('injection', () => {
  test('latency is added to every call', async () => {
    const { sts } = aws()
    shim.latency(120)
    const start = performance.now()
    await sts.send(new GetCallerIdentityCommand({}))
    assert.ok(performance.now() - start >= 120)
    const [call] = shim.calls()
    assert.ok(call && call.end - call.start >= 120, `logged ${call && call.end - call.start} ms`)
    shim.latency(0)
  })

  test('a fault fails the nth call of an operation with an AWS-shaped error', async () => {
    const { iam } = aws(1)
    const { lambda, gw } = aws()
    await createRole(iam)
    shim.fault({
      operation: 'GetRole',
      nth: 2,
      status: 400,
      errorType: 'ThrottlingException',
      message: 'Rate exceeded',
    })
    await iam.send(new GetRoleCommand({ RoleName: 'socket-role' }))
    const error = await rejectsWith(
      iam.send(new GetRoleCommand({ RoleName: 'socket-role' })),
      'ThrottlingException',
      400,
    )
    assert.equal(error.message, 'Rate exceeded')
    await iam.send(new GetRoleCommand({ RoleName: 'socket-role' }))

    // The SDK retries throttling and 5xx by itself: one failure, then success.
    shim.fault({
      operation: 'GetFunction',
      status: 429,
      errorType: 'TooManyRequestsException',
      message: 'Rate exceeded',
    })
    await rejectsWith(
      lambda.send(new GetFunctionCommand({ FunctionName: 'missing' })),
      'ResourceNotFoundException',
      404,
    )
    shim.fault({ operation: 'GetApis', times: 2, status: 500, errorType: 'InternalFailure' })
    await gw.send(new GetApisCommand({}))
    assert.deepEqual(
      shim
        .calls()
        .filter((c) => c.operation !== 'CreateRole')
        .map((c) => `${c.operation} ${c.status}`),
      [
        'GetRole 200',
        'GetRole 400',
        'GetRole 200',
        'GetFunction 429',
        'GetFunction 404',
        'GetApis 500',
        'GetApis 500',
        'GetApis 200',
      ],
    )

    shim.fault({ operation: 'GetApis', network: true })
    const { gw: once } = aws(1)
    await assert.rejects(once.send(new GetApisCommand({})))
    assert.equal(shim.calls().at(-1)?.status, 0)
  })

  test('failAfterWrites fails the k-th write and every write after it, until clearFaults', async () => {
    shim.configure({ roleUnassumableCalls: 0 })
    const { iam, lambda } = aws(1)
    shim.failAfterWrites(2)
    const role = await createRole(iam)
    await iam.send(new GetRoleCommand({ RoleName: 'socket-role' }))
    const policy = {
      RoleName: 'socket-role',
      PolicyName: 'logs',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }],
      }),
    }
    await rejectsWith(iam.send(new PutRolePolicyCommand(policy)), 'InternalFailure', 500)
    await rejectsWith(createFunction(lambda, role), 'InternalFailure', 500)
    await iam.send(new GetRoleCommand({ RoleName: 'socket-role' }))
    shim.clearFaults()
    await iam.send(new PutRolePolicyCommand(policy))
    assert.deepEqual(summary(shim.writes()), [
      'iam CreateRole write 200',
      'iam PutRolePolicy write 500',
      'lambda CreateFunction write 500',
      'iam PutRolePolicy write 200',
    ])
  })
})
