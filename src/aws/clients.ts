// The AWS SDK clients of one deploy: standard credential and endpoint chain (AWS_ENDPOINT_URL works), SDK retries on.
import { ACMClient } from '@aws-sdk/client-acm'
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2'
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { IAMClient } from '@aws-sdk/client-iam'
import { KMSClient } from '@aws-sdk/client-kms'
import { LambdaClient } from '@aws-sdk/client-lambda'
import { Route53Client } from '@aws-sdk/client-route-53'
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { SSMClient } from '@aws-sdk/client-ssm'
import { STSClient } from '@aws-sdk/client-sts'

export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  expiration?: Date
}

export interface AwsClients {
  iam: IAMClient
  lambda: LambdaClient
  apigw: ApiGatewayV2Client
  logs: CloudWatchLogsClient
  /** The connection registry's table (control plane only: the runtime reads and writes its items). */
  dynamodb: DynamoDBClient
  sts: STSClient
  /** A custom domain's certificate, looked up in the stage's region (never requested). */
  acm: ACMClient
  /** A custom domain's alias record (Route 53 is global; the SDK finds its endpoint from any region). */
  route53: Route53Client
  /** serverless.yml's `secrets`: parameters' metadata only (DescribeParameters), never their values. */
  ssm: SSMClient
  /** serverless.yml's `secrets`: secrets' metadata only (DescribeSecret), never their values. */
  secretsManager: SecretsManagerClient
  /** The customer managed keys that encrypt those (DescribeKey). */
  kms: KMSClient
}

export interface ClientOptions {
  region: string
  credentials?: AwsCredentials
  /** The SDK's own retries (throttling, 5xx, TooManyRequests), with its backoff. */
  maxAttempts?: number
}

export function createClients({ region, credentials, maxAttempts = 6 }: ClientOptions): AwsClients {
  const config = { region, credentials, maxAttempts }
  return {
    iam: new IAMClient(config),
    lambda: new LambdaClient(config),
    apigw: new ApiGatewayV2Client(config),
    logs: new CloudWatchLogsClient(config),
    dynamodb: new DynamoDBClient(config),
    sts: new STSClient(config),
    acm: new ACMClient(config),
    route53: new Route53Client(config),
    ssm: new SSMClient(config),
    secretsManager: new SecretsManagerClient(config),
    kms: new KMSClient(config),
  }
}

export function destroyClients(clients: AwsClients): void {
  for (const client of Object.values(clients)) client.destroy()
}
