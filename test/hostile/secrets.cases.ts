// A secret read through ${env.X} into a project that fails somewhere: the error names the reference or another
// place, and the value is printed nowhere (the runner scans stdout and stderr for every SECRET_ value).
import type { HostileCase } from './case.ts'
import { SOCKET_JS, withInputs } from './case.ts'

const SECRET = 'sv-9c1e-secret-value-Kq2'
const env = { SECRET_VALUE: SECRET }
const reference = /\$\{env\.SECRET_VALUE\}/

/** A project whose `env` input holds the secret, with one more line that breaks it. */
const envSecretAnd = (line: string) => withInputs(`    env:\n      API_KEY: \${env.SECRET_VALUE}\n${line}`)

export const cases: HostileCase[] = [
  {
    name: 'a secret in env beside an unknown input: the error is the input, the value is not printed',
    files: { 'serverless.yml': envSecretAnd('    memroy: 256\n') },
    env,
    expect: { exit: 2, message: /unknown input "memroy" - did you mean "memory"\?/, at: 'serverless.yml:6' },
  },
  {
    name: 'a secret in env beside a socket.js that does not parse',
    files: { 'serverless.yml': envSecretAnd(''), 'socket.js': "on('message', async (data) => {\n  return (\n})\n" },
    env,
    expect: { exit: 2, message: /socket\.js/, at: 'socket.js:3' },
  },
  {
    name: 'a secret in the description beside a socket.js that does not parse',
    files: {
      'serverless.yml': withInputs('    description: ${env.SECRET_VALUE}\n'),
      'socket.js': 'export const = 1\n',
    },
    env,
    expect: { exit: 2, message: /socket\.js/, at: 'socket.js:1' },
  },
  {
    name: 'a secret in env beside an invalid memory',
    files: { 'serverless.yml': envSecretAnd('    memory: lots\n') },
    env,
    expect: { exit: 2, message: /input "memory" must be/, at: 'serverless.yml:6' },
  },
  {
    name: 'a secret with YAML characters (": #") in env beside a bad timeout',
    files: { 'serverless.yml': envSecretAnd('    timeout: 9000\n') },
    env: { SECRET_VALUE: 'sv-key: with # colon-and-hash' },
    expect: { exit: 2, message: /input "timeout"/, at: 'serverless.yml:6' },
  },
  {
    name: 'a secret too large for env: the 4 KB error gives sizes, never the value',
    files: { 'serverless.yml': envSecretAnd('') },
    env: { SECRET_VALUE: `sv-big-${'x'.repeat(5000)}` },
    expect: { exit: 2, message: /over Lambda's 4 KB limit/, at: 'serverless.yml:4' },
  },
  {
    name: 'a secret as the permissions boundary, which is not an ARN: the reference is shown',
    files: { 'serverless.yml': withInputs('    permissionsBoundary: ${env.SECRET_VALUE}\n') },
    env,
    expect: { exit: 2, message: reference, at: 'serverless.yml:4' },
  },
  {
    name: 'a secret as the region: the reference is shown, not the value',
    files: { 'serverless.yml': withInputs('    region: ${env.SECRET_VALUE}\n') },
    env,
    expect: { exit: 2, message: reference, at: 'serverless.yml:4' },
  },
  {
    name: 'a secret as the top-level stage (not a valid stage name)',
    files: { 'serverless.yml': `stage: \${env.SECRET_VALUE}\n${withInputs('    region: us-east-1\n')}` },
    env: { SECRET_VALUE: 'sv secret/stage' },
    expect: { exit: 2, message: reference, at: 'serverless.yml:1' },
  },
  {
    name: 'a secret as the app name (not a valid name)',
    files: { 'serverless.yml': withInputs('    name: ${env.SECRET_VALUE}\n') },
    env: { SECRET_VALUE: 'sv secret with spaces' },
    expect: { exit: 2, message: /\$\{env\.SECRET_VALUE\}/, at: 'serverless.yml:4' },
  },
  {
    name: 'a secret as the code folder, which does not exist: the path is not printed with it',
    files: { 'serverless.yml': withInputs('    code: ${env.SECRET_VALUE}\n') },
    env,
    expect: { exit: 2, message: /code folder/, at: 'serverless.yml:4' },
  },
  {
    name: 'a secret in a policy Resource beside a statement without Effect',
    files: {
      'serverless.yml': withInputs(
        '    policy:\n      - Action: "s3:GetObject"\n        Resource: ${env.SECRET_VALUE}\n',
      ),
    },
    env,
    expect: { exit: 2, message: /has no "Effect"/, at: 'serverless.yml:5' },
  },
  {
    name: 'a secret in a policy Condition beside a CloudFormation intrinsic',
    files: {
      'serverless.yml': withInputs(
        '    policy:\n      - Effect: Allow\n        Action: "s3:GetObject"\n        Resource: !GetAtt Bucket.Arn\n' +
          '        Condition:\n          StringEquals:\n            "aws:PrincipalTag/team": ${env.SECRET_VALUE}\n',
      ),
    },
    env,
    expect: { exit: 2, message: /!GetAtt/, at: 'serverless.yml:7' },
  },
  {
    name: 'a multi-line secret in env beside an unknown top-level key',
    files: { 'serverless.yml': `${envSecretAnd('')}Sockett:\n  component: "@serverless/socket"\n` },
    env: { SECRET_VALUE: '-----BEGIN KEY-----\nsv-multi-line-secret-body\n-----END KEY-----' },
    expect: { exit: 2, message: /Sockett/, at: 'serverless.yml:6' },
  },
  {
    name: 'a secret in env, and a reference to a variable that is not set',
    files: { 'serverless.yml': envSecretAnd('    description: ${env.NOT_SET_ANYWHERE}\n') },
    env,
    expect: { exit: 2, message: /"NOT_SET_ANYWHERE" is not set/, at: 'serverless.yml:6' },
  },
  {
    name: 'a secret in the throttle rate, which must be a number',
    files: { 'serverless.yml': withInputs('    throttle:\n      rateLimit: ${env.SECRET_VALUE}\n') },
    env,
    expect: { exit: 2, message: reference, at: 'serverless.yml:5' },
  },
  {
    name: 'a secret as the runtime',
    files: { 'serverless.yml': withInputs('    runtime: ${env.SECRET_VALUE}\n') },
    env,
    expect: { exit: 2, message: reference, at: 'serverless.yml:4' },
  },
  {
    name: 'a secret in socket.js is not ours to see, but a failing import must not print the file',
    files: {
      'serverless.yml': withInputs('    region: us-east-1\n'),
      'socket.js': `const key = "${SECRET}"\nimport missing from './missing.js'\n${SOCKET_JS}`,
    },
    env,
    expect: { exit: 2, message: /missing\.js/, at: 'socket.js:2' },
  },
]
