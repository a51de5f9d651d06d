// The handler and what it imports: socket.js that is not a file, not text, not JavaScript, registers nothing, or imports
// what cannot or must not be bundled (a missing package, a file outside the project, a native addon).
import type { HostileCase } from './case.ts'
import { PLANTED_SECRET, withInputs } from './case.ts'

const ECHO = "on('message', async (data, socket) => {\n  await socket.send(data)\n})\n"
/** socket.js importing `spec` on line 1 and using it. */
const importing = (spec: string) => `import x from '${spec}'\n${ECHO.replace('send(data)', 'send(String(x))')}`
/** A package installed in node_modules: its package.json and main file. */
const installed = (name: string, main = 'index.js', body: string | Uint8Array = 'module.exports = {}\n') => ({
  [`node_modules/${name}/package.json`]: JSON.stringify({ name, main }),
  [`node_modules/${name}/${main}`]: body,
})
const ELF = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0])
/** Nothing of /etc/passwd may be printed (it starts with root's entry). */
const NOT_PASSWD = '(?![\\s\\S]*root:x?:0)'

export const cases: HostileCase[] = [
  // --- socket.js is not a regular file
  {
    name: 'socket.js is a folder',
    files: { 'socket.js': { dir: true } },
    expect: {
      exit: 2,
      message: /socket\.js is a folder, not a regular file - replace it with your handler's source file/,
      at: 'serverless.yml:1',
    },
  },
  {
    name: 'socket.js is a symbolic link to a file that does not exist',
    files: { 'socket.js': { symlink: './missing.js' } },
    expect: {
      exit: 2,
      message: /socket\.js is a symbolic link to \.\/missing\.js, which does not exist - create \.\/missing\.js/,
      at: 'serverless.yml:1',
    },
  },
  {
    name: 'socket.js is a symbolic link to itself',
    files: { 'socket.js': { symlink: 'socket.js' } },
    expect: {
      exit: 2,
      message: /socket\.js is a symbolic link to socket\.js, which loops back/,
      at: 'serverless.yml:1',
    },
  },
  {
    name: 'socket.js is a symbolic link to a folder',
    files: { 'socket.js': { symlink: 'lib' }, lib: { dir: true } },
    expect: {
      exit: 2,
      message: /socket\.js is a symbolic link to lib, which is a folder - replace it with your handler's source file/,
      at: 'serverless.yml:1',
    },
  },
  {
    name: 'socket.js is a FIFO (reading it would never end)',
    files: { 'socket.js': { fifo: true } },
    expect: {
      exit: 2,
      message: /socket\.js is a FIFO \(named pipe\), not a regular file - replace it/,
      at: 'serverless.yml:1',
    },
  },
  {
    name: 'socket.js is a symbolic link to a FIFO',
    files: { 'socket.js': { symlink: 'pipe' }, pipe: { fifo: true } },
    expect: { exit: 2, message: /socket\.js is a symbolic link to pipe, which is a FIFO/, at: 'serverless.yml:1' },
  },
  {
    name: 'no serverless.yml, and socket.js is a folder',
    files: { 'serverless.yml': null, 'socket.js': { dir: true } },
    expect: { exit: 2, message: /socket\.js is a folder, not a regular file/, at: 'serverless.yml:1' },
  },
  {
    name: 'the code folder holds only a broken link named socket.js',
    files: {
      'serverless.yml': withInputs('    code: src\n'),
      'socket.js': null,
      'src/socket.js': { symlink: 'gone.js' },
    },
    expect: {
      exit: 2,
      message: /socket\.js is a symbolic link to gone\.js, which does not exist.*or point "code" at the folder/,
      at: 'serverless.yml:4',
    },
  },
  {
    name: 'socket.js and socket.ts side by side',
    files: { 'socket.ts': ECHO },
    expect: {
      exit: 2,
      message: /several socket handlers .*socket\.js, socket\.ts - keep only one/,
      at: 'serverless.yml:1',
    },
  },
  {
    name: 'socket.js is a symbolic link to /etc/passwd',
    files: { 'socket.js': { symlink: '/etc/passwd' } },
    expect: {
      exit: 2,
      message: new RegExp(`${NOT_PASSWD}socket\\.js leads outside the project \\(to /etc/passwd\\).*replace the link`),
      at: 'socket.js:1',
    },
  },

  // --- socket.js is not UTF-8 text
  {
    name: 'socket.js is a binary (an ELF executable)',
    files: { 'socket.js': ELF },
    expect: {
      exit: 2,
      message:
        /socket\.js is a binary file \(it has a NUL byte\), not source code - .*must be JavaScript, TypeScript or JSON text/,
      at: 'socket.js:1',
    },
  },
  {
    name: 'socket.js saved as Latin-1',
    files: {
      'socket.js': new Uint8Array([
        ...Buffer.from("on('message', async (data, socket) => {\n  await socket.send('caf"),
        0xe9,
        ...Buffer.from("')\n})\n"),
      ]),
    },
    expect: {
      exit: 2,
      message: /socket\.js is not UTF-8 text: the byte 0xE9 .*save the file as UTF-8/,
      at: 'socket.js:2',
    },
  },
  {
    name: 'socket.js saved as UTF-16',
    files: { 'socket.js': new Uint8Array([0xff, 0xfe, ...Buffer.from(ECHO, 'utf16le')]) },
    expect: { exit: 2, message: /socket\.js is UTF-16 text .* - save the file as UTF-8/, at: 'socket.js:1' },
  },
  {
    name: 'an imported file saved as Latin-1',
    files: {
      'socket.js': importing('./lib/text.js'),
      'lib/text.js': new Uint8Array([...Buffer.from('// greeting\nexport default "ol'), 0xe1, ...Buffer.from('"\n')]),
    },
    expect: { exit: 2, message: /lib\/text\.js is not UTF-8 text: the byte 0xE1/, at: 'lib/text.js:2' },
  },
  {
    name: 'an imported file is a binary',
    files: { 'socket.js': importing('./blob.js'), 'blob.js': ELF },
    expect: { exit: 2, message: /blob\.js is a binary file \(it has a NUL byte\), not source code/, at: 'blob.js:1' },
  },
  {
    name: 'an imported file is a FIFO (reading it would never end)',
    files: { 'socket.js': importing('./pipe.js'), 'pipe.js': { fifo: true } },
    expect: {
      exit: 2,
      message: /pipe\.js is a FIFO \(named pipe\), not a regular file - import a source file/,
      at: 'pipe.js:1',
    },
  },

  // --- socket.js registers no handler
  {
    name: 'socket.js is empty',
    files: { 'socket.js': '' },
    expect: {
      exit: 2,
      message: /socket\.js registers no handler: it is empty.*drop every message - register one, e\.g\. on\('message'/,
      at: 'socket.js:1',
    },
  },
  {
    name: 'socket.js holds only comments',
    files: { 'socket.js': '// TODO: the chat\n/* later */\n' },
    expect: { exit: 2, message: /socket\.js registers no handler/, at: 'socket.js:1' },
  },
  {
    name: 'socket.js exports a Lambda-style handler instead of registering one',
    files: { 'socket.js': 'export async function handler(event) {\n  return { statusCode: 200 }\n}\n' },
    expect: {
      exit: 2,
      message: /socket\.js registers no handler: .*register one, e\.g\. on\('message'/,
      at: 'socket.js:1',
    },
  },

  // --- socket.js is not valid JavaScript
  {
    name: 'a syntax error: a missing parenthesis',
    files: { 'socket.js': "on('message', async (data, socket) => {\n  await socket.send(data\n})\n" },
    expect: { exit: 2, message: /Expected "\)" but found "}" - a syntax error: fix the code here/, at: 'socket.js:3' },
  },
  {
    name: 'a syntax error: an unterminated string',
    files: { 'socket.js': "on('message', async (data, socket) => {\n  await socket.send('hi)\n})\n" },
    expect: { exit: 2, message: /Unterminated string literal - a syntax error/, at: 'socket.js:2' },
  },
  {
    name: 'a syntax error quotes at most a short piece of the line',
    files: { 'socket.js': `const a = 1 '${'x'.repeat(500)}'\n${ECHO}` },
    expect: { exit: 2, message: /^(?![\s\S]*x{41})[\s\S]*found "'x+…" - a syntax error/, at: 'socket.js:1' },
  },
  {
    name: 'an imported JSON file is not JSON',
    files: { 'socket.js': importing('./data.json'), 'data.json': '{"greeting": "hi",,}\n' },
    expect: { exit: 2, message: /Expected string in JSON but found "," - a syntax error/, at: 'data.json:1' },
  },
  {
    name: 'top-level await (the bundle is CommonJS)',
    files: { 'socket.js': `const greeting = await Promise.resolve('hi')\n${ECHO}` },
    expect: { exit: 2, message: /top-level await is not supported .*move the await into a handler/, at: 'socket.js:1' },
  },

  // --- imports that cannot be resolved
  {
    name: 'a misspelt package, the right one installed',
    files: { 'socket.js': importing('lodahs'), ...installed('lodash') },
    expect: {
      exit: 2,
      message: /cannot find package "lodahs" - did you mean "lodash"\? If not, install it .*\(npm install lodahs\)/,
      at: 'socket.js:1',
    },
  },
  {
    name: 'a package that is not installed',
    files: { 'socket.js': importing('left-pad-nowhere') },
    expect: {
      exit: 2,
      message: /cannot find package "left-pad-nowhere" - install it .*npm install left-pad-nowhere/,
      at: 'socket.js:1',
    },
  },
  {
    name: 'a package in package.json but not installed',
    files: { 'socket.js': importing('ioredis'), 'package.json': '{"dependencies": {"ioredis": "^5.0.0"}}\n' },
    expect: {
      exit: 2,
      message: /package "ioredis" is in package\.json but not installed - run npm install/,
      at: 'socket.js:1',
    },
  },
  {
    name: 'a misspelt Node.js module with node:',
    files: { 'socket.js': importing('node:fss') },
    expect: {
      exit: 2,
      message: /"node:fss" is not a Node\.js built-in module - did you mean "node:fs"/,
      at: 'socket.js:1',
    },
  },
  {
    name: 'a misspelt Node.js module without node:',
    files: { 'socket.js': importing('crytpo') },
    expect: { exit: 2, message: /cannot find package "crytpo" - did you mean "crypto"\?/, at: 'socket.js:1' },
  },
  {
    name: 'a misspelt relative import',
    files: { 'socket.js': importing('./helper.js'), 'helpers.js': 'export default 1\n' },
    expect: {
      exit: 2,
      message: /cannot resolve "\.\/helper\.js": no such file - did you mean "\.\/helpers\.js"\?/,
      at: 'socket.js:1',
    },
  },
  {
    name: 'a data file esbuild has no loader for',
    files: { 'socket.js': importing('./greeting.bin'), 'greeting.bin': 'hi' },
    expect: {
      exit: 2,
      message: /no loader for "\.bin" files - import only JavaScript, TypeScript, JSON or text/,
      at: 'socket.js:1',
    },
  },

  // --- imports that must stay in the project
  {
    name: 'an absolute import of /etc/passwd is never read',
    files: { 'socket.js': importing('/etc/passwd') },
    expect: {
      exit: 2,
      message: new RegExp(`${NOT_PASSWD}"/etc/passwd" is an absolute path: imports must stay inside the project`),
      at: 'socket.js:1',
    },
  },
  {
    name: "an import of /proc/self/environ never reads the process's environment",
    files: { 'socket.js': `const env = require('/proc/self/environ')\n${ECHO}` },
    expect: {
      exit: 2,
      message: /"\/proc\/self\/environ" is an absolute path: .*import it with a relative path/,
      at: 'socket.js:1',
    },
  },
  {
    name: 'a relative import that climbs out of the project',
    files: { 'socket.js': importing('../../../../../../../../../../etc/passwd') },
    expect: {
      exit: 2,
      message: new RegExp(`${NOT_PASSWD}leads outside the project \\(to /etc/passwd\\): imports must stay inside`),
      at: 'socket.js:1',
    },
  },
  {
    name: 'a climb out of the project through a package name',
    files: { 'socket.js': importing('lodash/../../../../../../../../../../etc/passwd'), ...installed('lodash') },
    expect: {
      exit: 2,
      message: new RegExp(`${NOT_PASSWD}leads outside the project \\(to /etc/passwd\\)`),
      at: 'socket.js:1',
    },
  },
  {
    name: 'an import of a symbolic link to /etc/passwd',
    files: { 'socket.js': importing('./users.js'), 'users.js': { symlink: '/etc/passwd' } },
    expect: {
      exit: 2,
      message: new RegExp(`${NOT_PASSWD}"\\./users\\.js" leads outside the project \\(to /etc/passwd\\)`),
      at: 'socket.js:1',
    },
  },
  {
    name: 'an import of a symbolic link to the environment, with a secret in it',
    files: { 'socket.js': importing('./env.js'), 'env.js': { symlink: '/proc/self/environ' } },
    env: { SECRET_DEPLOY_KEY: `${PLANTED_SECRET}-environ` },
    expect: { exit: 2, message: /"\.\/env\.js" leads outside the project/, at: 'socket.js:1' },
  },

  {
    name: 'an import from a URL',
    files: { 'socket.js': importing('https://cdn.example.com/greeting.js') },
    expect: {
      exit: 2,
      message:
        /"https:\/\/cdn\.example\.com\/greeting\.js" is a URL: the bundle cannot fetch it.* - install the package from npm/,
      at: 'socket.js:1',
    },
  },
  {
    name: 'an import of a file: URL',
    files: { 'socket.js': importing('file:///etc/passwd') },
    expect: {
      exit: 2,
      message: new RegExp(`${NOT_PASSWD}"file:///etc/passwd" is a file: URL: imports must stay inside the project`),
      at: 'socket.js:1',
    },
  },
  {
    name: 'a package whose main file is a FIFO (reading it would never end)',
    files: {
      'socket.js': importing('slow-pkg'),
      'node_modules/slow-pkg/package.json': '{"name": "slow-pkg", "main": "index.js"}',
      'node_modules/slow-pkg/index.js': { fifo: true },
    },
    expect: {
      exit: 2,
      message: /node_modules\/slow-pkg\/index\.js is a FIFO \(named pipe\), not a regular file/,
      at: 'node_modules/slow-pkg/index.js:1',
    },
  },
  {
    name: 'an import of a folder with no index.js',
    files: { 'socket.js': importing('./lib'), 'lib/greeting.js': 'export default 1\n' },
    expect: {
      exit: 2,
      message: /cannot resolve "\.\/lib": it is a folder with no index\.js .* - import a file in it/,
      at: 'socket.js:1',
    },
  },
  {
    name: 'an import of a part of socket-action that does not exist',
    files: { 'socket.js': importing('socket-action/server') },
    expect: {
      exit: 2,
      message: /"socket-action\/server" is not part of socket-action - import from "socket-action" itself/,
      at: 'socket.js:1',
    },
  },

  // --- native addons
  {
    name: 'a native addon required by path',
    files: { 'socket.js': `const addon = require('./build/addon.node')\n${ECHO}`, 'build/addon.node': ELF },
    expect: {
      exit: 2,
      message:
        /socket\.js imports a native addon \(\.\/build\/addon\.node\), which cannot be bundled.*use a pure-JavaScript/,
      at: 'socket.js:1',
    },
  },
  {
    name: 'a package whose main is a native addon',
    files: { 'socket.js': importing('fast-hash'), ...installed('fast-hash', 'build/Release/hash.node', ELF) },
    expect: {
      exit: 2,
      message: /socket\.js imports a native addon \(node_modules\/fast-hash\/build\/Release\/hash\.node\)/,
      at: 'socket.js:1',
    },
  },
]
