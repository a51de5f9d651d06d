// The AWS SDK clients of one deploy: standard credential and endpoint chain (AWS_ENDPOINT_URL works), SDK retries on.
import { ACMClient } from '@aws-sdk/client-acm';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
export function createClients({ region, credentials, maxAttempts = 6 }) {
    const config = { region, credentials, maxAttempts };
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
    };
}
export function destroyClients(clients) {
    for (const client of Object.values(clients))
        client.destroy();
}
