// serverless.yml's values: a secret substituted through ${env.X} into any checked field is never printed (the
// reference is), huge values are quoted short, and values are taken as written (an unclosed ${ is an error, not text).
import type { HostileCase } from './case.ts'
import { withInputs } from './case.ts'

const SOCKET = 'Socket:\n  component: "@serverless/socket"\n'
/** `inputs` lines for a policy of one statement, Effect on line 5 (Action 6, Resource 7). */
const statement = (effect: string, action: string, resource: string) =>
  `    policy:\n      - Effect: ${effect}\n        Action: ${action}\n        Resource: ${resource}\n`

/** A secret referenced as `${env.NAME}` in `lines`: it must not be printed, its reference must be. */
function secretIn(
  what: string,
  name: string,
  value: string,
  serverless: string,
  message: RegExp,
  line: number,
): HostileCase {
  return {
    name: `a secret from \${env.${name}} in ${what} is not printed`,
    files: { 'serverless.yml': serverless },
    env: { [name]: value },
    expect: { exit: 2, message, at: `serverless.yml:${line}` },
  }
}

const REF = (name: string) => `\\$\\{env\\.${name}\\} \\(from the environment\\)`

export const cases: HostileCase[] = [
  // --- a secret substituted into a checked field: the message shows ${env.X}, never the value
  secretIn(
    'memory',
    'SECRET_MEMORY',
    'sv-mem-e41d9a07',
    withInputs('    memory: ${env.SECRET_MEMORY}\n'),
    new RegExp(`input "memory" must be an integer number of MB, got ${REF('SECRET_MEMORY')}`),
    4,
  ),
  secretIn(
    'memory, a number out of range',
    'SECRET_MEMORY_N',
    '918273645',
    withInputs('    memory: ${env.SECRET_MEMORY_N}\n'),
    new RegExp(
      `input "memory" must be between 128 and 10240 MB \\(Lambda's allowed range\\), got ${REF('SECRET_MEMORY_N')}`,
    ),
    4,
  ),
  secretIn(
    'timeout',
    'SECRET_TIMEOUT',
    'sv-timeout-77b0',
    withInputs('    region: us-east-1\n    timeout: ${env.SECRET_TIMEOUT}\n'),
    new RegExp(`input "timeout" must be an integer number of seconds, got ${REF('SECRET_TIMEOUT')}`),
    5,
  ),
  secretIn(
    'timeout, a number out of range',
    'SECRET_TIMEOUT_N',
    '86400123',
    withInputs('    timeout: ${env.SECRET_TIMEOUT_N}\n'),
    new RegExp(`input "timeout" must be between 1 and 29 seconds, got ${REF('SECRET_TIMEOUT_N')}`),
    4,
  ),
  secretIn(
    'region',
    'SECRET_REGION',
    'sv-region-c0a1b2',
    withInputs('    region: ${env.SECRET_REGION}\n'),
    new RegExp(`input "region" must be an AWS region, got ${REF('SECRET_REGION')} - use one of us-east-1`),
    4,
  ),
  secretIn(
    'logRetentionDays (no nearest-value hint either)',
    'SECRET_DAYS',
    '4567',
    withInputs('    logRetentionDays: ${env.SECRET_DAYS}\n'),
    new RegExp(
      `input "logRetentionDays" must be a retention CloudWatch Logs accepts, got ${REF('SECRET_DAYS')} - use one of 1, 3, 5`,
    ),
    4,
  ),
  secretIn(
    'description (too long: its length is said, not its text)',
    'SECRET_DESCRIPTION',
    `sv-desc-${'q'.repeat(300)}`,
    withInputs('    description: ${env.SECRET_DESCRIPTION}\n'),
    /input "description" is 308 characters; Lambda allows at most 256 - shorten it/,
    4,
  ),
  secretIn(
    'a policy Resource',
    'SECRET_RESOURCE',
    'sv-resource-0b7e5c',
    withInputs(statement('Allow', 'dynamodb:GetItem', '${env.SECRET_RESOURCE}')),
    new RegExp(`input "policy\\[0\\]\\.Resource" must be "\\*" or an ARN .*, got ${REF('SECRET_RESOURCE')}`),
    7,
  ),
  secretIn(
    'part of a policy Resource',
    'SECRET_TABLE',
    'sv-table-5a5a',
    withInputs(statement('Allow', 'dynamodb:GetItem', 'table/${env.SECRET_TABLE}')),
    /input "policy\[0\]\.Resource" must be .*, got "table\/\$\{env\.SECRET_TABLE\}" \(with values from the environment\)/,
    7,
  ),
  secretIn(
    'a policy Action (no did-you-mean built from it)',
    'SECRET_ACTION',
    'sv.action',
    withInputs(statement('Allow', '${env.SECRET_ACTION}', '"*"')),
    new RegExp(`input "policy\\[0\\]\\.Action" must be "\\*" or service:Action .*, got ${REF('SECRET_ACTION')}$`, 'm'),
    6,
  ),
  secretIn(
    'a policy Action list item',
    'SECRET_ACTION_ITEM',
    'sv-action-item-31',
    withInputs(
      '    policy:\n      - Effect: Allow\n        Action:\n          - s3:GetObject\n          - ${env.SECRET_ACTION_ITEM}\n        Resource: "*"\n',
    ),
    new RegExp(`input "policy\\[0\\]\\.Action\\[1\\]" must be .*, got ${REF('SECRET_ACTION_ITEM')}`),
    8,
  ),
  secretIn(
    'a policy Effect',
    'SECRET_EFFECT',
    'sv-effect-9f',
    withInputs(statement('${env.SECRET_EFFECT}', 's3:GetObject', '"*"')),
    new RegExp(`input "policy\\[0\\]\\.Effect" must be Allow or Deny, got ${REF('SECRET_EFFECT')}`),
    5,
  ),
  secretIn(
    'a policy Sid',
    'SECRET_SID',
    'sv-sid-44',
    withInputs(
      '    policy:\n      - Sid: ${env.SECRET_SID}\n        Effect: Allow\n        Action: s3:GetObject\n        Resource: "*"\n',
    ),
    new RegExp(`input "policy\\[0\\]\\.Sid" must contain only letters and digits, got ${REF('SECRET_SID')}`),
    5,
  ),
  secretIn(
    'runtime',
    'SECRET_RUNTIME',
    'sv-runtime-12',
    withInputs('    runtime: ${env.SECRET_RUNTIME}\n'),
    new RegExp(`input "runtime" must be nodejs24\\.x or nodejs22\\.x, got ${REF('SECRET_RUNTIME')}`),
    4,
  ),
  secretIn(
    'runtime, a deprecated one',
    'SECRET_OLD_RUNTIME',
    'nodejs18.x',
    withInputs('    runtime: ${env.SECRET_OLD_RUNTIME}\n'),
    new RegExp(`input "runtime" is ${REF('SECRET_OLD_RUNTIME')}, which is deprecated`),
    4,
  ),
  secretIn(
    'architecture',
    'SECRET_ARCH',
    'sv-arch-z80',
    withInputs('    architecture: ${env.SECRET_ARCH}\n'),
    new RegExp(`input "architecture" must be arm64 or x86_64, got ${REF('SECRET_ARCH')}`),
    4,
  ),
  secretIn(
    'the input name',
    'SECRET_NAME',
    'sv name with spaces',
    withInputs('    name: ${env.SECRET_NAME}\n'),
    new RegExp(`input "name" must be 1-64 characters .*, got ${REF('SECRET_NAME')}`),
    4,
  ),
  secretIn(
    'the top-level name',
    'SECRET_APP',
    'sv app!',
    `name: \${env.SECRET_APP}\n${SOCKET}`,
    new RegExp(`top-level "name" must be 1-64 characters .*, got ${REF('SECRET_APP')}`),
    1,
  ),
  secretIn(
    'the stage',
    'SECRET_STAGE',
    'sv.stage/1',
    `stage: \${env.SECRET_STAGE}\n${SOCKET}`,
    new RegExp(`stage ${REF('SECRET_STAGE')} is invalid: API Gateway stage names`),
    1,
  ),
  secretIn(
    'the component (no echo of what it names)',
    'SECRET_COMPONENT',
    'sv-component@9',
    'Socket:\n  component: ${env.SECRET_COMPONENT}\n',
    new RegExp(`component ${REF('SECRET_COMPONENT')} is not supported`),
    2,
  ),
  secretIn(
    'permissionsBoundary (no corrected ARN built from it)',
    'SECRET_BOUNDARY',
    'arn:aws:iam:us-east-1:123456789012:policy/sv-boundary-6',
    withInputs('    permissionsBoundary: ${env.SECRET_BOUNDARY}\n'),
    new RegExp(
      `input "permissionsBoundary" must be the ARN of an IAM managed policy \\(arn:aws:iam::ACCOUNT:policy/NAME\\), got ${REF('SECRET_BOUNDARY')} - give the ARN`,
    ),
    4,
  ),
  secretIn(
    'throttle.burstLimit',
    'SECRET_BURST',
    'sv-burst-0',
    withInputs('    throttle:\n      burstLimit: ${env.SECRET_BURST}\n'),
    new RegExp(`input "throttle\\.burstLimit" must be an integer number of requests, got ${REF('SECRET_BURST')}`),
    5,
  ),
  secretIn(
    'throttle.rateLimit, a negative number',
    'SECRET_RATE',
    '-12345.5',
    withInputs('    throttle:\n      rateLimit: ${env.SECRET_RATE}\n'),
    new RegExp(`input "throttle\\.rateLimit" must be 0 or more, got ${REF('SECRET_RATE')}`),
    5,
  ),
  secretIn(
    'code (a folder that does not exist)',
    'SECRET_CODE',
    'sv-code-folder-8e2',
    withInputs('    code: ${env.SECRET_CODE}\n'),
    /code folder "\$\{env\.SECRET_CODE\}" not found \(resolved to .*\/\$\{env\.SECRET_CODE\}\)/,
    4,
  ),
  secretIn(
    'the whole file (a top level that is not a mapping)',
    'SECRET_WHOLE',
    'sv-whole-file-2c',
    '${env.SECRET_WHOLE}\n',
    /the top level of serverless\.yml must be a mapping .*, got a line of text \(16 characters\)/,
    1,
  ),
  {
    name: 'a secret in env beside an invalid env name: only the name is printed',
    files: { 'serverless.yml': withInputs('    env:\n      1TOKEN: ${env.SECRET_ENV_VALUE}\n') },
    env: { SECRET_ENV_VALUE: 'sv-env-value-d00d' },
    expect: { exit: 2, message: /env name "1TOKEN" is invalid/, at: 'serverless.yml:5' },
  },
  {
    name: 'a secret in env over the 4 KB total: the size is printed, not the values',
    files: { 'serverless.yml': withInputs('    env:\n      BIG: ${env.SECRET_BIG_ENV}\n') },
    env: { SECRET_BIG_ENV: `sv-big-${'k'.repeat(5000)}` },
    expect: {
      exit: 2,
      message: /input "env" is 5017 bytes \(as JSON\), over Lambda's 4 KB limit/,
      at: 'serverless.yml:4',
    },
  },
  // --- huge values: quoted short, with their length
  {
    name: 'a 10,000-character region is quoted short',
    files: { 'serverless.yml': withInputs(`    region: ${'r'.repeat(10_000)}\n`) },
    expect: {
      exit: 2,
      message: /input "region" must be an AWS region, got "r{79}…" \(10,000 characters\) - use one of/,
      at: 'serverless.yml:4',
    },
  },
  {
    name: 'a 500,000-character description: its length, not its text',
    files: { 'serverless.yml': withInputs(`    description: ${'d'.repeat(500_000)}\n`) },
    expect: {
      exit: 2,
      message: /input "description" is 500000 characters; Lambda allows at most 256/,
      at: 'serverless.yml:4',
    },
  },
  {
    name: 'a 100,000-character unknown input is quoted short',
    files: { 'serverless.yml': withInputs(`    ? ${'u'.repeat(100_000)}\n    : 1\n`) },
    expect: {
      exit: 2,
      message: /unknown input "u{79}…" \(100,000 characters\) - allowed inputs are/,
      at: 'serverless.yml:4',
    },
  },
  {
    name: 'a 100,000-character top-level key is described, not quoted',
    files: { 'serverless.yml': `${SOCKET}? ${'t '.repeat(50_000)}\n: 1\n` },
    expect: {
      exit: 2,
      message: /unknown top-level key \(a line of text \(99,999 characters\), not a name\) - allowed are/,
      at: 'serverless.yml:3',
    },
  },
  {
    name: 'a 50,000-character Action is quoted short',
    files: { 'serverless.yml': withInputs(statement('Allow', 'a'.repeat(50_000), '"*"')) },
    expect: {
      exit: 2,
      message: /input "policy\[0\]\.Action" must be .*, got "a{79}…" \(50,000 characters\)/,
      at: 'serverless.yml:6',
    },
  },
  {
    name: 'a 20,000-character stage is quoted short',
    files: { 'serverless.yml': `stage: ${'s.'.repeat(10_000)}\n${SOCKET}` },
    expect: { exit: 2, message: /stage "(s\.){39}s…" \(20,000 characters\) is invalid/, at: 'serverless.yml:1' },
  },
  {
    name: 'a 5,000-character variable reference is cut',
    files: { 'serverless.yml': withInputs(`    region: \${self:${'x'.repeat(5000)}}\n`) },
    expect: {
      exit: 2,
      message:
        /unsupported variable \$\{self:x{72}… \(5,008 characters\): only \$\{env\.NAME\} references are supported/,
      at: 'serverless.yml:4',
    },
  },
  // --- values as written
  {
    name: 'an unclosed ${env.HOME in the name',
    files: { 'serverless.yml': withInputs('    name: ${env.HOME\n') },
    expect: {
      exit: 2,
      message: /reference "\$\{env\.HOME" has no closing "\}" - write \$\{env\.NAME\}, with the "\}"/,
      at: 'serverless.yml:4',
    },
  },
  {
    name: 'an unclosed ${env. in a policy Resource',
    files: { 'serverless.yml': withInputs(statement('Allow', 's3:GetObject', 'arn:aws:s3:::${env.BUCKET/*')) },
    expect: { exit: 2, message: /reference "\$\{env\.BUCKET\/\*" has no closing "\}"/, at: 'serverless.yml:7' },
  },
  {
    name: 'an unclosed ${ in an env value is named without its text',
    files: { 'serverless.yml': withInputs('    env:\n      TOKEN: sv-literal-${env.SECRET_UNCLOSED\n') },
    env: { SECRET_UNCLOSED: 'sv-unclosed-value-71' },
    expect: {
      exit: 2,
      message:
        /env "TOKEN" has a "\$\{" with no closing "\}" - close the reference \(\$\{env\.NAME\}\) or remove the "\$\{"/,
      at: 'serverless.yml:5',
    },
  },
  {
    name: 'an escaped \\r in a quoted memory gets no "remove the quotes" hint',
    files: { 'serverless.yml': withInputs('    memory: "256\\r"\n') },
    expect: {
      exit: 2,
      message: /input "memory" must be an integer number of MB, got "256\\r"$/m,
      at: 'serverless.yml:4',
    },
  },
]
