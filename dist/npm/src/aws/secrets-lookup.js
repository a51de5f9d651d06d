// Reads for serverless.yml's `secrets`, in observe's first round: whether each parameter and secret exists, its type
// and the KMS key that encrypts it. Metadata only: no value is ever read at deploy (no GetParameter(s), no
// GetSecretValue); the function reads the values itself at cold start (runtime/secrets.ts).
//   SSM:             DescribeParameters, a Name Equals filter of up to 50 names per call (paginated), in parallel
//   Secrets Manager: DescribeSecret per secret, in parallel (its full ARN, its KmsKeyId, a deletion scheduled)
//   KMS:             DescribeKey per key given by alias or id that is not AWS managed by name: its key ARN and
//                    whether it is customer managed (AWS managed keys need no grant).
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand } from '@aws-sdk/client-ssm';
import { parameterName } from "../config/secret-ref.js";
import { isNotFound } from "./errors.js";
/** DescribeParameters: at most 50 values in one filter, and 50 results a page. */
export const DESCRIBE_PARAMETERS_BATCH = 50;
/** `alias/aws/ssm`, `alias/aws/secretsmanager`, as a name or an alias ARN: AWS managed, nothing to resolve. */
const AWS_MANAGED_ALIAS_RE = /(^|:)alias\/aws\//;
async function parameters(clients, names) {
    const found = new Map();
    const batches = [];
    for (let i = 0; i < names.length; i += DESCRIBE_PARAMETERS_BATCH)
        batches.push(names.slice(i, i + DESCRIBE_PARAMETERS_BATCH));
    await Promise.all(batches.map(async (Values) => {
        let NextToken;
        do {
            const page = await clients.ssm.send(new DescribeParametersCommand({
                ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values }],
                MaxResults: DESCRIBE_PARAMETERS_BATCH,
                NextToken,
            }));
            for (const p of page.Parameters ?? [])
                if (p.Name)
                    found.set(p.Name, p);
            NextToken = page.NextToken;
        } while (NextToken);
    }));
    return found;
}
/** A key as SSM or Secrets Manager names it, resolved to its ARN if customer managed; undefined if AWS managed. */
async function customerKey(clients, keyId) {
    if (AWS_MANAGED_ALIAS_RE.test(keyId))
        return undefined;
    let KeyMetadata;
    try {
        ;
        ({ KeyMetadata } = await clients.kms.send(new DescribeKeyCommand({ KeyId: keyId })));
    }
    catch (error) {
        const e = error;
        throw Object.assign(new Error(`KMS DescribeKey of ${keyId}, the key that encrypts a parameter or secret serverless.yml's secrets name, failed: ${e.message} - the deploy role needs kms:DescribeKey on the key (a customer managed key's policy must allow it too)`, { cause: error }), { name: e.name });
    }
    return KeyMetadata?.KeyManager === 'AWS' ? undefined : KeyMetadata?.Arn;
}
/** What each target is, found or not; throws only on a failed read (access denied, throttled past the retries). */
export async function readSecrets(clients, targets) {
    if (!targets.length)
        return [];
    const unique = [...new Map(targets.map((t) => [`${t.service} ${t.id}`, t])).values()];
    const ssmTargets = unique.filter((t) => t.service === 'ssm');
    const smTargets = unique.filter((t) => t.service === 'secretsmanager');
    const [params, secrets] = await Promise.all([
        ssmTargets.length ? parameters(clients, [...new Set(ssmTargets.map((t) => parameterName(t.id)))]) : new Map(),
        Promise.all(smTargets.map(async (t) => {
            try {
                return await clients.secretsManager.send(new DescribeSecretCommand({ SecretId: t.id }));
            }
            catch (error) {
                if (isNotFound(error))
                    return undefined;
                throw error;
            }
        })),
    ]);
    const observed = [
        ...ssmTargets.map((t) => {
            const p = params.get(parameterName(t.id));
            if (!p)
                return { ...t, found: false };
            return {
                ...t,
                found: true,
                ...(p.Type ? { type: p.Type } : {}),
                ...(p.Type === 'SecureString' ? { keyId: p.KeyId ?? 'alias/aws/ssm' } : {}),
            };
        }),
        ...smTargets.map((t, i) => {
            const s = secrets[i];
            if (!s?.ARN)
                return { ...t, found: false };
            return {
                ...t,
                found: true,
                arn: s.ARN,
                ...(s.DeletedDate ? { deleted: true } : {}),
                // No KmsKeyId: the AWS managed key aws/secretsmanager.
                ...(s.KmsKeyId ? { keyId: s.KmsKeyId } : {}),
            };
        }),
    ];
    const keyIds = [...new Set(observed.flatMap((o) => (o.keyId ? [o.keyId] : [])))];
    const keys = new Map(await Promise.all(keyIds.map(async (id) => [id, await customerKey(clients, id)])));
    return observed.map(({ keyId, ...o }) => {
        const arn = keyId ? keys.get(keyId) : undefined;
        return arn ? { ...o, customerKeyArn: arn } : o;
    });
}
