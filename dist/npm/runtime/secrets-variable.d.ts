export declare const SECRETS_VARIABLE = "SOCKET_ACTION_SECRETS";
/** Variable name -> `ssm:<parameter name>` or `secretsmanager:<secret ARN>`. */
export type SecretReferences = Record<string, string>;
