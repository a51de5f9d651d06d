// The `socket-action` command as a user runs it: a child process, its output and its exit code.
import assert from 'node:assert/strict'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, test } from 'node:test'
import { checkRegion } from '../src/config/region-name.ts'
import { planStage } from '../src/pipeline.ts'
import { ask, connect } from './helpers/clients.ts'
import { runNode } from './helpers/processes.ts'

const ROOT = path.join(import.meta.dirname, '..')
const BIN = path.join(ROOT, 'src/cli/bin.js')

const run = (args: string[]) => runNode(BIN, args, { cwd: ROOT })
const COMMANDS = ['init', 'dev', 'plan', 'deploy', 'remove', 'sweep', 'url', 'logs']

describe('socket-action CLI', () => {
  test('--help lists every command and the exit codes, and exits 0', async () => {
    const { code, stdout, stderr } = await run(['--help']).done
    assert.equal(code, 0)
    assert.equal(stderr, '')
    for (const command of COMMANDS) assert.match(stdout, new RegExp(`^  ${command} `, 'm'))
    assert.match(stdout, /socket-action <command> --help/)
    assert.match(stdout, /^Exit codes:\n {2}0 {2}done\n {2}1 {2}the command failed.*\n {2}2 {2}fix the input/m)
  })

  test('no command prints the overview on stderr and exits 2', async () => {
    const { code, stdout, stderr } = await run([]).done
    assert.equal(code, 2)
    assert.equal(stdout, '')
    assert.match(stderr, /^Commands:/m)
  })

  for (const command of COMMANDS) {
    test(`${command} --help (and -h, and help ${command}) shows its usage and options, and exits 0`, async () => {
      const long = await run([command, '--help']).done
      assert.equal(long.code, 0, long.stderr)
      assert.equal(long.stderr, '')
      assert.match(long.stdout, new RegExp(`^Usage: socket-action ${command} \\[dir\\]( \\[options\\])?$`, 'm'))
      assert.match(long.stdout, /^ {2}-h, --help +show this help$/m)
      assert.match(long.stdout, /^Exit codes:$/m)
      assert.equal((await run([command, '-h']).done).stdout, long.stdout)
      assert.equal((await run(['help', command]).done).stdout, long.stdout)
    })
  }

  test('logs, url and init --help name their own options', async () => {
    const logs = (await run(['logs', '--help']).done).stdout
    assert.match(logs, /^ {2}--since T +the oldest events to show: 30s, 10m, 2h, 1d ago, or an ISO time/m)
    assert.match(logs, /^ {2}-f, --follow +keep printing new events/m)
    assert.match(logs, /^Needs logs:FilterLogEvents on the stage's log group/m)
    const url = (await run(['url', '--help']).done).stdout
    assert.match(url, /^ {2}--json +print the result as JSON on stdout$/m)
    assert.match(url, /^ {2}--stage S +the stage/m)
    const init = (await run(['init', '--help']).done).stdout
    assert.match(init, /^Usage: socket-action init \[dir\]$/m)
    assert.match(init, /never overwritten/)
  })

  test('--help wins over other options, even unknown ones', async () => {
    const { code, stdout } = await run(['deploy', '--stgae', 'x', '--help']).done
    assert.equal(code, 0)
    assert.match(stdout, /^Usage: socket-action deploy/m)
  })

  test("--stage is optional and help says its default: serverless.yml's stage, else dev", async () => {
    for (const command of ['dev', 'plan', 'deploy', 'remove']) {
      const { stdout } = await run([command, '--help']).done
      assert.match(stdout, /^Usage: socket-action \w+ \[dir\] \[options\]$/m, 'no required option in the usage line')
      assert.match(
        stdout,
        /^ {2}--stage S +.*\(default: serverless\.yml's stage,\s+else "dev"\)$/m,
        `${command} --help`,
      )
    }
  })

  test('deploy, plan and remove list their options with defaults', async () => {
    const { stdout } = await run(['deploy', '--help']).done
    assert.match(stdout, /^ {2}--region R +the AWS region \(default: serverless\.yml's region, else us-east-1\)$/m)
    assert.match(stdout, /^ {2}--repo OWNER\/NAME +[\s\S]*?\(default:\s+GITHUB_REPOSITORY, else "local"\)/m)
    assert.match(stdout, /^ {2}--json +/m)
    assert.match(stdout, /AWS_ENDPOINT_URL/)
  })

  test('sweep --help says it is a dry run unless --no-dry-run, and where the token comes from', async () => {
    const { stdout } = await run(['sweep', '--help']).done
    assert.match(stdout, /^ {2}--no-dry-run +remove the stages of closed pull requests/m)
    assert.match(stdout, /GITHUB_TOKEN, else GH_TOKEN/)
    assert.match(stdout, /GITHUB_API_URL/)
  })

  test("an unknown option names it, suggests the close one, points at the command's help, and exits 2", async () => {
    const { code, stdout, stderr } = await run(['deploy', '--stgae', 'pr-1']).done
    assert.equal(code, 2)
    assert.equal(stdout, '')
    assert.equal(
      stderr,
      'error: unknown option "--stgae" for "socket-action deploy" - did you mean "--stage"?\nSee "socket-action deploy --help".\n',
    )
  })

  test('an unknown option with nothing close still names it', async () => {
    const { code, stderr } = await run(['dev', '--verbose']).done
    assert.equal(code, 2)
    assert.equal(stderr, 'error: unknown option "--verbose" for "socket-action dev"\nSee "socket-action dev --help".\n')
    assert.match((await run(['plan', '-x']).done).stderr, /^error: unknown option "-x" for "socket-action plan"$/m)
  })

  test('an option without its value, a flag with a value, or one folder too many exit 2', async () => {
    const missing = await run(['deploy', '--stage']).done
    assert.equal(missing.code, 2)
    assert.match(missing.stderr, /^error: option --stage needs a value: --stage S$/m)
    const swallowed = await run(['deploy', '--stage', '--json']).done
    assert.equal(swallowed.code, 2, 'the next option is not a stage name')
    const flagValue = await run(['plan', '--json=yes']).done
    assert.equal(flagValue.code, 2)
    assert.match(flagValue.stderr, /^error: option --json takes no value/m)
    const extra = await run(['remove', 'a', 'b']).done
    assert.equal(extra.code, 2)
    assert.match(extra.stderr, /^error: "socket-action remove" takes one argument \(dir\), got 2: a b$/m)
    const port = await run(['dev', '--port', 'http']).done
    assert.equal(port.code, 2)
    assert.match(port.stderr, /^error: --port must be a port number \(0-65535\), got "http"$/m)
    const concurrency = await run(['dev', '--concurrency', '0']).done
    assert.equal(concurrency.code, 2)
    assert.match(concurrency.stderr, /^error: --concurrency must be a whole number from 1 to 1000, got "0"$/m)
  })

  test('--permissions-boundary takes a policy ARN on plan and deploy, and remove has none', async () => {
    const role = await run([
      'deploy',
      '--permissions-boundary',
      'arn:aws:iam::123456789012:role/socket-action-boundary',
    ]).done
    assert.equal(role.code, 2)
    assert.match(
      role.stderr,
      /^error: --permissions-boundary must be the ARN of an IAM managed policy, got "arn:aws:iam::123456789012:role\/socket-action-boundary", which is a role/m,
    )
    const regional = await run(['plan', '--permissions-boundary', 'arn:aws:iam:us-east-1:123456789012:policy/b']).done
    assert.equal(regional.code, 2)
    assert.match(regional.stderr, /did you mean "arn:aws:iam::123456789012:policy\/b"\?/)
    const remove = await run(['remove', '--permissions-boundary', 'arn:aws:iam::123456789012:policy/b']).done
    assert.equal(remove.code, 2)
    assert.match(remove.stderr, /^error: unknown option "--permissions-boundary" for "socket-action remove"/m)
    assert.match(
      (await run(['deploy', '--help']).done).stdout,
      /^ {2}--permissions-boundary ARN\n +the managed policy every function role gets as its permissions boundary/m,
    )
  })

  test('an unknown command gets a did-you-mean and exits 2', async () => {
    const { code, stderr } = await run(['deplyo']).done
    assert.equal(code, 2)
    assert.equal(stderr, 'error: unknown command "deplyo" - did you mean "deploy"?\nSee "socket-action --help".\n')
    const far = await run(['frobnicate']).done
    assert.equal(far.code, 2)
    assert.match(
      far.stderr,
      /^error: unknown command "frobnicate"; the commands are init, dev, plan, deploy, remove, rollback, sweep, url, logs$/m,
    )
    const option = await run(['--stage', 'x']).done
    assert.equal(option.code, 2)
    assert.match(option.stderr, /"--stage" is not a command; options come after it/)
  })

  test('--component naming no component is an input to fix (exit 2), before any AWS call', async () => {
    const env = { ...process.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }
    const { code, stderr } = await runNode(BIN, ['plan', 'examples/echo', '--component', 'Sockets'], { cwd: ROOT, env })
      .done
    assert.equal(code, 2)
    assert.match(
      stderr,
      /^error: --component "Sockets": examples\/echo\/serverless\.yml has no socket component of that name - did you mean "Socket"\?$/m,
    )
  })

  test('sweep without a token or a repository is a clear usage error, before any AWS call', async () => {
    const env = {
      ...process.env,
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      GITHUB_TOKEN: '',
      GH_TOKEN: '',
      GITHUB_REPOSITORY: '',
    }
    const noRepo = await runNode(BIN, ['sweep', 'examples/echo'], { cwd: ROOT, env }).done
    assert.equal(noRepo.code, 2)
    assert.match(
      noRepo.stderr,
      /^error: sweep needs the repository whose pull requests to check: pass --repo OWNER\/NAME or set GITHUB_REPOSITORY$/m,
    )
    const noToken = await runNode(BIN, ['sweep', 'examples/echo', '--repo', 'octo/sockets'], { cwd: ROOT, env }).done
    assert.equal(noToken.code, 2)
    assert.match(noToken.stderr, /^error: sweep needs a GitHub token .*: set GITHUB_TOKEN \(or GH_TOKEN\)/m)
    const badRepo = await runNode(BIN, ['sweep', '--repo', 'sockets'], { cwd: ROOT, env }).done
    assert.equal(badRepo.code, 2)
    assert.match(badRepo.stderr, /^error: --repo must be OWNER\/NAME/m)
  })

  test('a bad serverless.yml exits 2 (fix the input) with file, line and fix', async () => {
    const { code, stderr } = await run(['dev', 'test/fixtures/config/bad/seed-regoin']).done
    assert.equal(code, 2)
    assert.equal(
      stderr.trim(),
      'test/fixtures/config/bad/seed-regoin/serverless.yml:11:5: error: unknown input "regoin" - did you mean "region"?',
    )
  })

  test('a port in use is an error that says what to do', async () => {
    const { createServer } = await import('node:net')
    const holder = createServer().listen(0, '127.0.0.1')
    await new Promise((r) => holder.once('listening', r))
    const port = (holder.address() as { port: number }).port
    try {
      const { code, stderr } = await run(['dev', 'examples/echo', '--port', String(port)]).done
      assert.equal(code, 1)
      assert.equal(
        stderr.trim(),
        `error: port ${port} on 127.0.0.1 is in use: stop what holds it, or pass --port 0 for a free port`,
      )
    } finally {
      holder.close()
    }
  })

  test('dev serves a folder with only a socket.js (zero configuration)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'zero-config-cli-'))
    await cp(path.join(ROOT, 'examples/echo/socket.js'), path.join(dir, 'socket.js'))
    const child = run(['dev', dir, '--port', '0'])
    try {
      let url: string | undefined
      for (let i = 0; i < 200 && !url; i++) {
        url = /WebSocket:\s+(ws:\/\/\S+)/.exec(child.stdout())?.[1]
        if (!url) await new Promise((r) => setTimeout(r, 25))
      }
      assert.match(url ?? '', /\/dev$/, `stage dev by default: ${child.stdout()}`)
      const client = await connect(url!)
      assert.deepEqual(await ask(client, 'message', { zero: 'config' }), { zero: 'config' })
      client.ws.close()
    } finally {
      child.kill('SIGINT')
      await child.done
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('dev serves examples/echo until SIGINT', async () => {
    const child = run(['dev', 'examples/echo', '--port', '0'])
    let url: string | undefined
    for (let i = 0; i < 200 && !url; i++) {
      url = /WebSocket:\s+(ws:\/\/\S+)/.exec(child.stdout())?.[1]
      if (!url) await new Promise((r) => setTimeout(r, 25))
    }
    assert.ok(url, `no URL printed: ${child.stdout()}`)
    const client = await connect(url)
    assert.deepEqual(await ask(client, 'message', { hello: 'cli' }), { hello: 'cli' })
    client.ws.close()
    await client.closed
    child.kill('SIGINT')
    const { code, stdout } = await child.done
    assert.equal(code, 0)
    assert.match(stdout, /\$connect\s+\S+\s+200/)
    assert.match(stdout, /\$default\s+\S+\s+200/)
  })
})

describe('--region: a typo is rejected before any request, a region newer than this version is used with a warning', () => {
  test('the known regions pass; a name of the AWS shape that is not known passes with a warning', () => {
    for (const region of ['us-east-1', 'eu-central-2', 'us-gov-west-1', 'cn-northwest-1'])
      assert.deepEqual(checkRegion(region, `--region "${region}"`), { ok: true })
    for (const region of ['eu-west-9', 'ap-southeast-8', 'us-isob-east-1', 'nz-north-1']) {
      const check = checkRegion(region, `--region "${region}"`)
      assert.ok(check.ok && check.warning, region)
      assert.match(
        check.warning,
        /is not one of the AWS regions this version of socket-action knows; using it as given/,
      )
    }
  })

  test('anything else is not a region, with the closest known ones or the shape and list', () => {
    const problem = (region: string) => {
      const check = checkRegion(region, `--region "${region}"`)
      assert.equal(check.ok, false, region)
      return (check as { problem: string }).problem
    }
    assert.equal(problem('eu-wset-1'), '--region "eu-wset-1" is not an AWS region - did you mean "eu-west-1"?')
    assert.match(problem('US-EAST-1'), /did you mean "us-east-1"\?$/)
    assert.match(problem('us-east-1 '), /did you mean "us-east-1"\?$/)
    assert.match(
      problem('mars-north-9'),
      /- AWS regions look like us-east-1; the known ones are us-east-1, us-east-2, /,
    )
    assert.match(problem('useast1'), /did you mean "us-east-1"\?$/)
  })

  test("the pipeline checks a region given by the Action's input too, before loading anything or any request", async () => {
    await assert.rejects(
      planStage({ configFile: path.join(ROOT, 'examples/echo/serverless.yml'), region: 'eu-wset-1' }),
      /^Error: region "eu-wset-1" is not an AWS region - did you mean "eu-west-1"\?$/,
    )
  })
})
