// serverless.yml as a file and as YAML: what it is (a FIFO, a device, a folder, a link to a .env), how big, in which
// encoding, and YAML that would expand, recurse or nest without end (alias bombs, self aliases, deep nesting), tags
// that would change values silently, stray carriage returns.
import type { HostileCase } from './case.ts'
import { withInputs } from './case.ts'

const SOCKET = 'Socket:\n  component: "@serverless/socket"\n'

/** A "billion laughs" of `levels` anchors of 9 aliases each, as `indent`ed lines of a mapping (anchor i on line i). */
function laughs(levels: number, indent: string): string {
  const lines = [`${indent}a0: &a0 [${Array(9).fill('"lol"').join(', ')}]`]
  for (let i = 1; i < levels; i++)
    lines.push(
      `${indent}a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    )
  return `${lines.join('\n')}\n`
}

/** A policy whose first statement's Condition holds `body` (lines indented 12, from line 11). */
const conditionPolicy = (body: string) =>
  withInputs(
    `    region: us-east-1\n    policy:\n      - Effect: Allow\n        Action: s3:GetObject\n        Resource: "*"\n        Condition:\n          StringEquals:\n${body}`,
  )

const utf16 = (text: string, littleEndian: boolean) => {
  const out = new Uint8Array(text.length * 2)
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    out[2 * i + (littleEndian ? 0 : 1)] = c & 0xff
    out[2 * i + (littleEndian ? 1 : 0)] = c >> 8
  }
  return out
}
const utf32 = (text: string, littleEndian: boolean) => {
  const out = new Uint8Array(text.length * 4)
  for (let i = 0; i < text.length; i++) out[4 * i + (littleEndian ? 0 : 3)] = text.charCodeAt(i)
  return out
}
const withBom = (bom: number[], bytes: Uint8Array) => new Uint8Array([...bom, ...bytes])
const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0))

const PLAIN = withInputs('    region: us-east-1\n    memory: 256\n')
const DEPLOY_CONFIG = (config: string) => ['deploy', '{dir}', '--stage', 'corpus', '--config', config]

export const cases: HostileCase[] = [
  // --- alias bombs: counted without expanding, reported at the alias that goes past the limit
  {
    name: 'a 10-level alias bomb in policy[].Condition (a 778-byte file that would expand to 3.8 billion strings)',
    files: { 'serverless.yml': conditionPolicy(laughs(10, '            ')) },
    expect: {
      exit: 2,
      message: /alias \*a3 repeats 7,381 values .* over the 10,000 allowed \(an alias bomb\?\) - write the values out/,
      at: 'serverless.yml:15',
    },
  },
  {
    name: 'a 5-level alias bomb in policy[].Condition',
    files: { 'serverless.yml': conditionPolicy(laughs(5, '            ')) },
    expect: { exit: 2, message: /alias \*a3 repeats 7,381 values .*an alias bomb/, at: 'serverless.yml:15' },
  },
  {
    name: 'a 30-level alias bomb (counts past a trillion) as top-level keys',
    files: { 'serverless.yml': `${SOCKET}${laughs(30, '')}` },
    expect: { exit: 2, message: /alias \*a3 repeats 7,381 values .*an alias bomb/, at: 'serverless.yml:7' },
  },
  {
    name: 'an alias bomb of mappings merged with <<',
    files: {
      'serverless.yml': `${SOCKET}  inputs:\n    env: &m0 { A0: x, A1: x, A2: x, A3: x, A4: x, A5: x, A6: x, A7: x, A8: x, A9: x }\n${Array.from(
        { length: 6 },
        (_, i) =>
          `x${i + 1}: &m${i + 1}\n${Array.from({ length: 10 }, (_, k) => `  k${k}: { <<: *m${i} }`).join('\n')}`,
      ).join('\n')}\n`,
    },
    expect: { exit: 2, message: /alias \*m2 repeats 2,441 values .*an alias bomb/, at: 'serverless.yml:31' },
  },
  {
    name: 'one anchor of 2,000 values aliased six times',
    files: {
      'serverless.yml': `${SOCKET}  inputs:\n    region: us-east-1\nbig: &big [${Array(1999).fill('1').join(', ')}]\nuse: [*big, *big, *big, *big, *big, *big]\n`,
    },
    expect: { exit: 2, message: /alias \*big repeats 2,000 values .* over the 10,000 allowed/, at: 'serverless.yml:6' },
  },
  {
    name: 'a 300,000-character string anchored and aliased four times (characters, not values)',
    files: {
      'serverless.yml': `${SOCKET}  inputs:\n    description: &d "${'x'.repeat(300_000)}"\n    env:\n      A1: *d\n      A2: *d\n      A3: *d\n      A4: *d\n`,
    },
    expect: {
      exit: 2,
      message: /alias \*d repeats 300,00\d characters of text, .* over the 1,000,000 allowed/,
      at: 'serverless.yml:9',
    },
  },
  // --- aliases that cannot be resolved
  {
    name: 'an alias inside its own anchor (a mapping that contains itself)',
    files: { 'serverless.yml': `${SOCKET}  inputs: &i\n    region: us-east-1\n    env:\n      SELF: *i\n` },
    expect: {
      exit: 2,
      message: /alias \*i is inside the value anchored &i, so it would repeat itself forever - write the value out/,
      at: 'serverless.yml:6',
    },
  },
  {
    name: 'a list that contains itself',
    files: { 'serverless.yml': withInputs('    policy: &p\n      - *p\n') },
    expect: { exit: 2, message: /alias \*p is inside the value anchored &p/, at: 'serverless.yml:5' },
  },
  {
    name: 'a mapping that merges itself with <<',
    files: { 'serverless.yml': withInputs('    throttle: &t\n      burstLimit: 10\n      <<: *t\n') },
    expect: { exit: 2, message: /alias \*t is inside the value anchored &t/, at: 'serverless.yml:6' },
  },
  {
    name: 'an alias with no anchor',
    files: { 'serverless.yml': withInputs('    region: *region\n') },
    expect: {
      exit: 2,
      message: /alias \*region has no anchor: define &region on a value before it, or write the value/,
      at: 'serverless.yml:4',
    },
  },
  {
    name: 'an alias used before its anchor',
    files: { 'serverless.yml': withInputs('    description: *r\n    region: &r us-east-1\n') },
    expect: { exit: 2, message: /alias \*r has no anchor: define &r on a value before it/, at: 'serverless.yml:4' },
  },
  // --- merge keys: supported; what they merge must be mappings
  {
    name: 'a merge key given a number',
    files: { 'serverless.yml': withInputs('    region: us-east-1\n    <<: 5\n') },
    expect: {
      exit: 2,
      message:
        /merge key "<<" merges mappings: give one \(<<: \*defaults\) or a list of them \(<<: \[\*a, \*b\]\), got a value/,
      at: 'serverless.yml:5',
    },
  },
  {
    name: 'a merge key given a list holding a list',
    files: { 'serverless.yml': withInputs('    region: &r us-east-1\n    <<: [[a], *r]\n') },
    expect: { exit: 2, message: /merge key "<<" merges mappings: .*got a list/, at: 'serverless.yml:5' },
  },
  {
    name: 'a merged value is checked where it is written (the anchor)',
    files: {
      'serverless.yml': `Base:\n  component: "@serverless/socket"\n  inputs: &base\n    memory: 64\nSecond:\n  component: "@serverless/socket"\n  inputs:\n    <<: *base\n    name: second\n`,
    },
    expect: { exit: 2, message: /input "memory" must be between 128 and 10240 MB/, at: 'serverless.yml:4' },
  },
  // --- nesting: checked before the (recursive) YAML composer runs
  {
    name: '100,000 nested flow lists in a Condition',
    files: { 'serverless.yml': conditionPolicy(`            k: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`) },
    expect: {
      exit: 2,
      message: /lists and mappings are nested more than 64 levels deep here - .*flatten it/,
      at: 'serverless.yml:11',
    },
  },
  {
    name: '50,000 nested flow mappings',
    files: { 'serverless.yml': withInputs(`    env: ${'{a: '.repeat(50_000)}1${'}'.repeat(50_000)}\n`) },
    expect: { exit: 2, message: /nested more than 64 levels deep/, at: 'serverless.yml:4' },
  },
  {
    name: '300 nested block mappings',
    files: {
      'serverless.yml': withInputs(
        `    env:\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(6 + i)}k${i}:\n`).join('')}${' '.repeat(306)}x\n`,
      ),
    },
    expect: { exit: 2, message: /nested more than 64 levels deep/, at: 'serverless.yml:66' },
  },
  {
    name: '5,000 nested block lists on one line (- - - ...)',
    files: { 'serverless.yml': withInputs(`    policy:\n      ${'- '.repeat(5000)}x\n`) },
    expect: { exit: 2, message: /nested more than 64 levels deep/, at: 'serverless.yml:5' },
  },
  {
    name: '70 nested lists in an env value (just past the limit)',
    files: { 'serverless.yml': withInputs(`    env:\n      DEEP: ${'['.repeat(70)}${']'.repeat(70)}\n`) },
    expect: { exit: 2, message: /nested more than 64 levels deep/, at: 'serverless.yml:5' },
  },
  // --- size: checked before reading
  {
    name: 'a serverless.yml of 1 MB and 1 byte',
    files: { 'serverless.yml': `${PLAIN}#${'x'.repeat(1024 * 1024 - PLAIN.length - 1)}\n` },
    expect: {
      exit: 2,
      message:
        /serverless\.yml is 1,048,577 bytes, over the 1,048,576 \(1 MB\) a serverless\.yml may be - is it the right file\?/,
      at: 'serverless.yml:1',
    },
  },
  {
    name: 'a 5 MB file of one quoted string',
    files: { 'serverless.yml': `"${'A'.repeat(5 * 1024 * 1024)}"\n` },
    expect: { exit: 2, message: /is 5,242,883 bytes, over the 1,048,576 \(1 MB\)/, at: 'serverless.yml:1' },
  },
  {
    name: 'a 900 KB file of one line is described, not echoed',
    files: { 'serverless.yml': `${'B'.repeat(900 * 1024)}\n` },
    expect: {
      exit: 2,
      message:
        /the top level of serverless\.yml must be a mapping \(key: value lines\), got a line of text \(921,600 characters\)/,
      at: 'serverless.yml:1',
    },
  },
  // --- what the path is: only a regular file is read
  {
    name: 'serverless.yml is a FIFO (never opened: opening one waits for a writer)',
    files: { 'serverless.yml': { fifo: true } },
    expect: {
      exit: 2,
      message: /serverless\.yml is a named pipe \(FIFO\), not a file: only a regular file is read as serverless\.yml/,
      at: 'serverless.yml:1',
    },
  },
  {
    name: 'serverless.yml is a symbolic link to a FIFO',
    files: { 'pipe.yml': { fifo: true }, 'serverless.yml': { symlink: '{dir}/pipe.yml' } },
    expect: {
      exit: 2,
      message: /\(through a symbolic link\) is a named pipe \(FIFO\), not a file/,
      at: 'serverless.yml:1',
    },
  },
  {
    name: 'serverless.yml is a folder',
    files: { 'serverless.yml': { dir: true } },
    expect: {
      exit: 2,
      message: /serverless\.yml is a folder, not a file - pass the path of the serverless\.yml inside it/,
      at: 'serverless.yml:1',
    },
  },
  {
    name: '--config names a folder',
    files: { 'config/app.yml': PLAIN },
    args: DEPLOY_CONFIG('{dir}/config'),
    expect: {
      exit: 2,
      message:
        /--config ".*\/config" is a folder - pass the serverless\.yml inside it: --config .*\/config\/serverless\.yml/,
      at: '--config',
    },
  },
  {
    name: '--config /dev/zero (a device that never ends)',
    files: {},
    args: DEPLOY_CONFIG('/dev/zero'),
    expect: { exit: 2, message: /\/dev\/zero is a device, not a file: only a regular file is read/, at: '/dev/zero:1' },
  },
  {
    name: '--config /dev/null',
    files: {},
    args: DEPLOY_CONFIG('/dev/null'),
    expect: { exit: 2, message: /\/dev\/null is a device, not a file/, at: '/dev/null:1' },
  },
  {
    name: 'serverless.yml is a symbolic link to /dev/zero',
    files: { 'serverless.yml': { symlink: '/dev/zero' } },
    expect: { exit: 2, message: /\(through a symbolic link\) is a device, not a file/, at: 'serverless.yml:1' },
  },
  {
    name: 'serverless.yml is a symbolic link to nothing',
    files: { 'serverless.yml': { symlink: '{dir}/gone.yml' } },
    expect: {
      exit: 2,
      message:
        /serverless\.yml is a symbolic link to .*gone\.yml, which does not exist - fix the link or pass the right path/,
      at: 'serverless.yml:1',
    },
  },
  {
    name: 'serverless.yml is a symbolic link to a .env holding a secret',
    files: {
      '.env': 'SECRET_DOTENV=sv-dotenv-51c0ffee\nDATABASE_URL=postgres://app@db/app\n',
      'serverless.yml': { symlink: '{dir}/.env' },
    },
    env: { SECRET_DOTENV: 'sv-dotenv-51c0ffee' },
    expect: {
      exit: 2,
      message: /the top level of serverless\.yml must be a mapping \(key: value lines\), got a text of 2 lines/,
      at: 'serverless.yml:1',
    },
  },
  {
    name: '--config a .env of export lines holding a secret',
    files: { 'prod.env': 'export SECRET_EXPORTED=sv-exported-93ab\nexport REGION=eu-west-1\n' },
    args: DEPLOY_CONFIG('{dir}/prod.env'),
    env: { SECRET_EXPORTED: 'sv-exported-93ab' },
    expect: { exit: 2, message: /top level of prod\.env must be a mapping .*got a text of 2 lines/, at: 'prod.env:1' },
  },
  {
    name: '--config a .env whose secret holds ": " (read as a mapping key)',
    files: { 'keys.env': 'SECRET_COLON=sv-colon-7d1e: with a colon\n' },
    args: DEPLOY_CONFIG('{dir}/keys.env'),
    env: { SECRET_COLON: 'sv-colon-7d1e' },
    expect: {
      exit: 2,
      message: /unknown top-level key \(a line of text \(26 characters\), not a name\)/,
      at: 'keys.env:1',
    },
  },
  {
    name: '--config /proc/self/environ (the environment, NUL-separated; stat says 0 bytes)',
    files: {},
    args: DEPLOY_CONFIG('/proc/self/environ'),
    expect: { exit: 2, message: /environ has a NUL byte at line 1: it is not a text file/, at: '/proc/self/environ:1' },
  },
  {
    name: '--config /etc/passwd',
    files: {},
    args: DEPLOY_CONFIG('/etc/passwd'),
    expect: {
      exit: 2,
      message: /top level of passwd must be a mapping .*got a text of \d+ lines/,
      at: '/etc/passwd:1',
    },
  },
  // --- encodings: UTF-8 only (a UTF-8 BOM is accepted: test/config.test.ts)
  {
    name: 'UTF-16 LE with a byte order mark',
    files: { 'serverless.yml': withBom([0xff, 0xfe], utf16(PLAIN, true)) },
    expect: {
      exit: 2,
      message: /serverless\.yml is UTF-16 LE \(it starts with a UTF-16 byte order mark\): save it as UTF-8/,
      at: 'serverless.yml:1',
    },
  },
  {
    name: 'UTF-16 BE with a byte order mark',
    files: { 'serverless.yml': withBom([0xfe, 0xff], utf16(PLAIN, false)) },
    expect: { exit: 2, message: /is UTF-16 BE \(it starts with a UTF-16 byte order mark\)/, at: 'serverless.yml:1' },
  },
  {
    name: 'UTF-16 LE without a byte order mark',
    files: { 'serverless.yml': utf16(PLAIN, true) },
    expect: {
      exit: 2,
      message: /is UTF-16 LE \(without a byte order mark: it is full of NUL bytes\): save it as UTF-8/,
      at: 'serverless.yml:1',
    },
  },
  {
    name: 'UTF-16 BE without a byte order mark',
    files: { 'serverless.yml': utf16(PLAIN, false) },
    expect: { exit: 2, message: /is UTF-16 BE \(without a byte order mark/, at: 'serverless.yml:1' },
  },
  {
    name: 'UTF-32 LE with a byte order mark',
    files: { 'serverless.yml': withBom([0xff, 0xfe, 0, 0], utf32(PLAIN, true)) },
    expect: { exit: 2, message: /is UTF-32 LE \(it starts with a UTF-32 byte order mark\)/, at: 'serverless.yml:1' },
  },
  {
    name: 'UTF-32 BE without a byte order mark',
    files: { 'serverless.yml': utf32(PLAIN, false) },
    expect: { exit: 2, message: /is UTF-32 BE \(without a byte order mark/, at: 'serverless.yml:1' },
  },
  {
    name: 'Latin-1: an é in the description',
    files: { 'serverless.yml': latin1(withInputs('    region: us-east-1\n    description: café backend\n')) },
    expect: {
      exit: 2,
      message:
        /serverless\.yml is not valid UTF-8 at line 5 \(byte 0xE9; saved as Latin-1 or Windows-1252\?\): save it as UTF-8/,
      at: 'serverless.yml:5',
    },
  },
  {
    name: 'Windows-1252 curly quotes in a comment',
    files: {
      'serverless.yml': new Uint8Array([
        ...new TextEncoder().encode(withInputs('    region: us-east-1\n    # the ')),
        0x93,
        ...new TextEncoder().encode('chat'),
        0x94,
        0x0a,
      ]),
    },
    expect: { exit: 2, message: /not valid UTF-8 at line 5 \(byte 0x93;/, at: 'serverless.yml:5' },
  },
  {
    name: 'a binary file (NUL bytes, no text encoding)',
    files: { 'serverless.yml': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49]) },
    expect: { exit: 2, message: /has a NUL byte at line 3: it is not a text file/, at: 'serverless.yml:3' },
  },
  // --- tags: a value must be what is written
  {
    name: '!GetAtt in a policy Resource',
    files: {
      'serverless.yml': withInputs(
        '    policy:\n      - Effect: Allow\n        Action: s3:GetObject\n        Resource: !GetAtt Bucket.Arn\n',
      ),
    },
    expect: {
      exit: 2,
      message:
        /CloudFormation intrinsics \(!GetAtt\) are not supported here; write the value \(e\.g\. the ARN itself\)/,
      at: 'serverless.yml:7',
    },
  },
  {
    name: '!Ref as the region',
    files: { 'serverless.yml': withInputs('    region: !Ref AWS::Region\n') },
    expect: { exit: 2, message: /CloudFormation intrinsics \(!Ref\) are not supported here/, at: 'serverless.yml:4' },
  },
  {
    name: '!Sub in the name',
    files: { 'serverless.yml': withInputs('    name: !Sub "${AWS::StackName}-socket"\n') },
    expect: { exit: 2, message: /CloudFormation intrinsics \(!Sub\) are not supported here/, at: 'serverless.yml:4' },
  },
  {
    name: '!Join (a tagged list) as an Action',
    files: {
      'serverless.yml': withInputs(
        '    policy:\n      - Effect: Allow\n        Action: !Join [":", [s3, GetObject]]\n        Resource: "*"\n',
      ),
    },
    expect: { exit: 2, message: /CloudFormation intrinsics \(!Join\) are not supported here/, at: 'serverless.yml:6' },
  },
  {
    name: '!ImportValue in an env value',
    files: { 'serverless.yml': withInputs('    env:\n      TABLE: !ImportValue shared-table-name\n') },
    expect: {
      exit: 2,
      message: /CloudFormation intrinsics \(!ImportValue\) are not supported here/,
      at: 'serverless.yml:5',
    },
  },
  {
    name: 'an unknown local tag',
    files: { 'serverless.yml': withInputs('    region: us-east-1\n    description: !vault secret/path\n') },
    expect: {
      exit: 2,
      message: /the YAML tag !vault is not supported here - remove it and write the value/,
      at: 'serverless.yml:5',
    },
  },
  {
    name: '!!binary',
    files: { 'serverless.yml': withInputs('    region: us-east-1\n    description: !!binary aGVsbG8=\n') },
    expect: { exit: 2, message: /the YAML tag !!binary is not supported here/, at: 'serverless.yml:5' },
  },
  {
    name: '!!timestamp (YAML 1.1 only)',
    files: { 'serverless.yml': withInputs('    env:\n      SINCE: !!timestamp 2001-12-14\n') },
    expect: { exit: 2, message: /the YAML tag !!timestamp is not supported here/, at: 'serverless.yml:5' },
  },
  // --- line ends and documents
  {
    name: 'a stray carriage return after a number',
    files: { 'serverless.yml': withInputs('    region: us-east-1\n    memory: 256\r  \n    timeout: 10\n') },
    expect: {
      exit: 2,
      message:
        /line 5 has a carriage return \(\\r\) not followed by a line feed .* save serverless\.yml with LF \(or CRLF\) line ends/,
      at: 'serverless.yml:5',
    },
  },
  {
    name: 'old Mac line ends (CR only)',
    files: { 'serverless.yml': 'Socket:\r  component: "@serverless/socket"\r  inputs:\r    memory: 256\r' },
    expect: {
      exit: 2,
      message: /line 1 has a carriage return \(\\r\) not followed by a line feed/,
      at: 'serverless.yml:1',
    },
  },
  {
    name: 'two YAML documents',
    files: { 'serverless.yml': `${PLAIN}---\n${PLAIN}` },
    expect: {
      exit: 2,
      message: /a second YAML document starts here \(after a "---" line\): serverless\.yml must be one document/,
      at: 'serverless.yml:6',
    },
  },
]
