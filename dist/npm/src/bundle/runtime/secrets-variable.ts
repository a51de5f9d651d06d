// The one environment variable that carries serverless.yml's `secrets` to the function: references only, never values.
// SOCKET_ACTION_SECRETS = {"STRIPE_KEY":"ssm:/my-socket/prod/stripe","DB_URL":"secretsmanager:arn:aws:secretsmanager:…"}:
// each variable's name, and where its value is read at cold start (runtime/secrets.ts): an SSM parameter by name, a
// Secrets Manager secret by its full ARN (the one the role's policy names).
export const SECRETS_VARIABLE = 'SOCKET_ACTION_SECRETS'

/** Variable name -> `ssm:<parameter name>` or `secretsmanager:<secret ARN>`. */
export type SecretReferences = Record<string, string>
