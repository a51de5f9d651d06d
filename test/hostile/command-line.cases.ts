// The command line: options whose values are wrong, or point at things that are not a project.
import type { HostileCase } from './case.ts'
import { withInputs } from './case.ts'

/** `socket-action deploy {dir} --stage corpus` and more. */
const deploy = (...more: string[]) => ['deploy', '{dir}', '--stage', 'corpus', ...more]
const TWO_SOCKETS = `A:\n  component: "@serverless/socket"\n  inputs:\n    name: a\nB:\n  component: "@serverless/socket"\n  inputs:\n    name: b\n`
/** No token from the machine running the tests may reach sweep. */
const NO_TOKEN = { GITHUB_TOKEN: '', GH_TOKEN: '' }

/** A command line rejected as an input to fix (exit 2), on the default project unless `more` says otherwise. */
function rejected(
  name: string,
  args: string[],
  message: RegExp,
  at: string,
  more: Pick<HostileCase, 'files' | 'env'> = { files: {} },
): HostileCase {
  return { name, ...more, args, expect: { exit: 2, message, at } }
}

export const cases: HostileCase[] = [
  {
    name: 'a misspelt input is named with its line and a did-you-mean',
    files: { 'serverless.yml': withInputs('    regoin: us-east-1\n') },
    expect: { exit: 2, message: /unknown input "regoin" - did you mean "region"\?/, at: 'serverless.yml:4' },
  },

  // --- --region
  rejected(
    '--region that is no region at all (mars-north-9), before any AWS call',
    deploy('--region', 'mars-north-9'),
    /--region "mars-north-9" is not an AWS region - AWS regions look like us-east-1; the known ones are us-east-1, /,
    '--region',
  ),
  rejected(
    '--region misspelt',
    deploy('--region', 'us-est-1'),
    /--region "us-est-1" is not an AWS region - did you mean "us-east-1" or "us-west-1"\?/,
    '--region',
  ),
  rejected('--region in capitals', deploy('--region', 'US-EAST-1'), /did you mean "us-east-1"\?/, '--region'),
  rejected(
    '--region empty',
    deploy('--region', ''),
    /--region "" is not an AWS region - AWS regions look like/,
    '--region',
  ),
  rejected(
    '--region misspelt for remove',
    ['remove', '{dir}', '--stage', 'corpus', '--region', 'eu-wset-1'],
    /--region "eu-wset-1" is not an AWS region - did you mean "eu-west-1"\?/,
    '--region',
  ),
  rejected(
    '--region misspelt for sweep, before GitHub is asked',
    ['sweep', '{dir}', '--repo', 'octo/sockets', '--region', 'ap-sout-1'],
    /--region "ap-sout-1" is not an AWS region - did you mean "ap-south-1"/,
    '--region',
    { files: {}, env: { GITHUB_TOKEN: 'not-a-real-token' } },
  ),
  {
    // A region AWS may have opened after this version: used with a warning; the AWS bed has no such region, and the
    // failure says to check it (not the SDK's JSON SyntaxError).
    name: '--region of the AWS shape that this version does not know: a warning, then a clear failure',
    files: {},
    args: ['plan', '{dir}', '--stage', 'corpus', '--region', 'eu-west-9'],
    expect: {
      exit: 1,
      message:
        /warning: region "eu-west-9" is not one of the AWS regions this version of socket-action knows; using it as given - if it is a typo, did you mean[\s\S]*check the region/,
      at: 'region "eu-west-9"',
    },
  },

  // --- --stage
  rejected(
    '--stage with a slash',
    ['deploy', '{dir}', '--stage', 'pr/1'],
    /--stage "pr\/1" is not a valid stage name: API Gateway stage names may contain only .* - e\.g\. --stage pr-1/,
    '--stage',
  ),
  rejected(
    '--stage empty',
    ['deploy', '{dir}', '--stage', ''],
    /--stage "" is not a valid .* - e\.g\. --stage dev/,
    '--stage',
  ),
  rejected(
    '--stage of 65 characters',
    ['deploy', '{dir}', '--stage', 's'.repeat(65)],
    /is not a valid stage name: .*\(1-64 characters\) - e\.g\. --stage s{64}\b/,
    '--stage',
  ),
  rejected(
    '--stage with a space, for dev',
    ['dev', '{dir}', '--stage', 'my stage', '--port', '0'],
    /--stage "my stage" is not a valid stage name: .* - e\.g\. --stage my-stage/,
    '--stage',
  ),
  rejected(
    '--stage without its value',
    ['deploy', '{dir}', '--stage', '--json'],
    /option --stage needs a value: --stage S/,
    '--stage',
  ),

  // --- the project: the dir argument, --config, --component
  rejected(
    'the dir argument does not exist',
    ['deploy', '{dir}/nowhere', '--stage', 'corpus'],
    /the dir argument ".*\/nowhere" does not exist .* - pass the folder that holds serverless\.yml or socket\.js/,
    'the dir argument',
  ),
  rejected(
    'the dir argument is socket.js',
    ['deploy', '{dir}/socket.js', '--stage', 'corpus'],
    /the dir argument ".*\/socket\.js" is a file, not a folder - pass the folder that holds it/,
    'the dir argument',
  ),
  rejected(
    'the dir argument is serverless.yml',
    ['plan', '{dir}/serverless.yml', '--stage', 'corpus'],
    /is a file, not a folder - to use this file, pass --config .*serverless\.yml/,
    'the dir argument',
  ),
  rejected(
    'an empty folder: neither serverless.yml nor socket.js',
    deploy(),
    /file not found: .*serverless\.yml - create it/,
    'serverless.yml:1',
    { files: { 'serverless.yml': null, 'socket.js': null } },
  ),
  rejected(
    '--config names a file that does not exist',
    deploy('--config', 'serverles.yml'),
    /--config "serverles\.yml": no such file \(looked for .*\/serverles\.yml\) - pass the path of your serverless\.yml/,
    '--config',
  ),
  rejected(
    '--config names a folder',
    deploy('--config', 'config'),
    /--config "config" is a folder - pass the serverless\.yml inside it: --config config\/serverless\.yml/,
    '--config',
    { files: { config: { dir: true } } },
  ),
  rejected(
    '--component misspelt',
    deploy('--component', 'Sockte'),
    /--component "Sockte": .*has no socket component of that name - did you mean "Socket"\?/,
    '--component',
  ),
  rejected(
    '--component far from every name',
    deploy('--component', 'Chat'),
    /--component "Chat": .*has no socket component of that name - use one of A, B/,
    '--component',
    { files: { 'serverless.yml': TWO_SOCKETS } },
  ),
  rejected(
    'two socket components and no --component',
    deploy(),
    /has 2 socket components \(A, B\): choose one with --component NAME/,
    '--component',
    { files: { 'serverless.yml': TWO_SOCKETS } },
  ),

  // --- --repo, --permissions-boundary
  rejected(
    '--repo without an owner',
    deploy('--repo', 'sockets'),
    /--repo must be OWNER\/NAME, e\.g\. octo\/sockets, got "sockets"/,
    '--repo',
  ),
  rejected(
    '--repo as a URL',
    deploy('--repo', 'https://github.com/octo/sockets'),
    /--repo must be OWNER\/NAME/,
    '--repo',
  ),
  rejected(
    '--permissions-boundary that is not an ARN',
    deploy('--permissions-boundary', 'MyBoundary'),
    /--permissions-boundary must be the ARN of an IAM managed policy, got "MyBoundary" - give the ARN/,
    '--permissions-boundary',
  ),
  rejected(
    '--permissions-boundary that is a role',
    ['plan', '{dir}', '--stage', 'corpus', '--permissions-boundary', 'arn:aws:iam::123456789012:role/boundary'],
    /which is a role - a boundary is a policy, e\.g\. "arn:aws:iam::123456789012:policy\//,
    '--permissions-boundary',
  ),

  // --- the words of the command line
  rejected(
    'a misspelt option',
    deploy('--regoin', 'us-east-1'),
    /unknown option "--regoin" for "socket-action deploy" - did you mean "--region"\?/,
    '--regoin',
  ),
  rejected(
    'an option of another command (--port for deploy)',
    deploy('--port', '3001'),
    /unknown option "--port" for "socket-action deploy"[\s\S]*See "socket-action deploy --help"/,
    '--port',
  ),
  rejected('an unknown short option', deploy('-x'), /unknown option "-x" for "socket-action deploy"/, '-x'),
  rejected('a misspelt command', ['deplyo', '{dir}'], /unknown command "deplyo" - did you mean "deploy"\?/, 'deplyo'),
  rejected(
    'options before the command',
    ['--stage', 'corpus', 'deploy', '{dir}'],
    /"--stage" is not a command; options come after it, e\.g\. socket-action deploy --stage/,
    '--stage',
  ),
  rejected(
    'a value given to a flag',
    deploy('--json=yes'),
    /option --json takes no value \(got "--json=yes"\)/,
    '--json',
  ),
  rejected(
    'two dir arguments',
    deploy('{dir}'),
    /"socket-action deploy" takes one argument \(dir\), got 2/,
    'takes one argument',
  ),
  rejected(
    'help for a command that does not exist',
    ['help', 'deploi'],
    /unknown command "deploi" - did you mean "deploy"\?/,
    'deploi',
  ),

  // --- dev and sweep
  rejected(
    'dev --port out of range',
    ['dev', '{dir}', '--port', '99999'],
    /--port must be a port number \(0-65535\), got "99999"/,
    '--port',
  ),
  rejected(
    'dev --concurrency 0',
    ['dev', '{dir}', '--concurrency', '0'],
    /--concurrency must be a whole number from 1 to 1000, got "0"/,
    '--concurrency',
  ),
  rejected(
    'sweep --dry-run and --no-dry-run together',
    ['sweep', '{dir}', '--dry-run', '--no-dry-run'],
    /--dry-run and --no-dry-run contradict each other: give one/,
    '--no-dry-run',
  ),
  rejected(
    'sweep without a repository',
    ['sweep', '{dir}'],
    /sweep needs the repository .*: pass --repo OWNER\/NAME or set GITHUB_REPOSITORY/,
    '--repo',
    { files: {}, env: NO_TOKEN },
  ),
  rejected(
    'sweep without a GitHub token',
    ['sweep', '{dir}', '--repo', 'octo/sockets'],
    /sweep needs a GitHub token .*: set GITHUB_TOKEN \(or GH_TOKEN\)/,
    'GITHUB_TOKEN',
    { files: {}, env: NO_TOKEN },
  ),
]
