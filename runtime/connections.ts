// The @connections management API, through the unchanged AWS SDK client, so what works behind the local gateway works on AWS.
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi'
import type { ConnectionInfo } from './types.ts'

/** A connection that is closed or never existed (HTTP 410 GoneException). Prune its id. */
export class GoneConnectionError extends Error {
  override readonly name = 'GoneConnectionError'
  constructor(readonly connectionId: string, options?: { cause?: unknown }) {
    super(`connection ${connectionId} is gone`, options)
  }
}

// One client per endpoint, kept across invocations of a warm Lambda environment.
const clients = new Map<string, ApiGatewayManagementApiClient>()

/**
 * The standard SDK variable for this service's endpoint. `socket-action dev` sets it to the local gateway; on AWS it is
 * unset unless the user points the function somewhere else on purpose.
 */
export const ENDPOINT_VARIABLE = 'AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI'

/**
 * Where the @connections API of the API that sent `event` lives: `https://{apiId}.execute-api.{region}.{suffix}/{stage}`.
 * Built from the API id and the function's region, never from `domainName`, which is the custom domain when one is
 * mapped (and a custom domain has no @connections API).
 */
export function connectionsEndpoint(
  context: { apiId: string; stage: string },
  env: Record<string, string | undefined> = process.env,
): string {
  const override = env[ENDPOINT_VARIABLE]
  if (override) return override.replace(/\/+$/, '')
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION
  if (!region) throw new Error('socket-action: AWS_REGION is not set, so the @connections endpoint is unknown')
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'
  return `https://${context.apiId}.execute-api.${region}.${suffix}/${context.stage}`
}

export function clientFor(endpoint: string): ApiGatewayManagementApiClient {
  let client = clients.get(endpoint)
  if (!client) {
    // cacheMiddleware: the stack is built once per command instead of on every send (a measurable CPU cost per send).
    client = new ApiGatewayManagementApiClient({ endpoint, cacheMiddleware: true })
    clients.set(endpoint, client)
  }
  return client
}

function isGone(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } }
  return e?.name === 'GoneException' || e?.$metadata?.httpStatusCode === 410
}

async function call<T>(connectionId: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (isGone(error)) throw new GoneConnectionError(connectionId, { cause: error })
    throw error
  }
}

export function encode(data: unknown): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data)
  if (data instanceof Uint8Array) return data
  return Buffer.from(JSON.stringify(data) ?? 'null')
}

export function postToConnection(client: ApiGatewayManagementApiClient, connectionId: string, data: Uint8Array): Promise<void> {
  return call(connectionId, async () => {
    await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }))
  })
}

export function deleteConnection(client: ApiGatewayManagementApiClient, connectionId: string): Promise<void> {
  return call(connectionId, async () => {
    await client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }))
  })
}

export function getConnection(client: ApiGatewayManagementApiClient, connectionId: string): Promise<ConnectionInfo> {
  return call(connectionId, async () => {
    const out = await client.send(new GetConnectionCommand({ ConnectionId: connectionId }))
    return {
      connectedAt: out.ConnectedAt,
      lastActiveAt: out.LastActiveAt,
      identity: out.Identity && { sourceIp: out.Identity.SourceIp, userAgent: out.Identity.UserAgent },
    }
  })
}

/** Posts one payload to many connections, at most `concurrency` at a time. Resolves to the gone ids; other failures reject together at the end. */
export async function broadcast(
  client: ApiGatewayManagementApiClient,
  data: unknown,
  connectionIds: Iterable<string>,
  concurrency = 32,
): Promise<string[]> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`broadcast: concurrency must be a positive integer, got ${concurrency}`)
  }
  const payload = encode(data)
  const ids = [...new Set(connectionIds)]
  const gone: string[] = []
  const failures: unknown[] = []
  let next = 0
  const lane = async () => {
    while (next < ids.length) {
      const id = ids[next++]!
      try {
        await postToConnection(client, id, payload)
      } catch (error) {
        if (error instanceof GoneConnectionError) gone.push(id)
        else failures.push(error)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, lane))
  if (failures.length > 0) {
    throw new AggregateError(failures, `broadcast: ${failures.length} of ${ids.length} sends failed (${gone.length} gone)`)
  }
  return gone
}
