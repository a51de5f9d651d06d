// `socket-action init`: a new project's socket.js, serverless.yml, .gitignore and GitHub workflow. Never overwrites:
// a file that exists is left as it is and listed as skipped; the others are written.
import { existsSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from "../usage.js";
/** The Action as the README's workflow names it. */
export const ACTION_USES = 'your-org/socket-action@v1';
/** The published schema, for a project without socket-action in its node_modules. */
export const SCHEMA_URL = 'https://unpkg.com/socket-action/schema/serverless.schema.json';
const LOCAL_SCHEMA = 'node_modules/socket-action/schema/serverless.schema.json';
export const SOCKET_JS = `// Every handler receives (data, socket). Try it: npx socket-action dev, then open a connection to the URL it prints.

// Runs on new connections; a non-2xx status rejects the connection.
on('connect', async (data, socket) => {
  console.log(\`connected \${socket.id}\`)
  return 200
})

// {"route": "echo", "data": {"text": "hi"}} sends {"text": "hi"} back to the sender.
on('echo', async (data, socket) => {
  await socket.send(data)
})

// {"route": "broadcast", "data": {"text": "hi"}} sends {"from": "<id>", "data": {"text": "hi"}} to every connection
// of the stage (they are in serverless.yml's connection registry).
on('broadcast', async (data, socket) => {
  await socket.broadcast({ from: socket.id, data })
})

// Every other frame comes back as it is: JSON parsed, anything else as text.
on('default', async (data, socket) => {
  await socket.send(data)
})
`;
export function serverlessYml(app, schema) {
    return `# yaml-language-server: $schema=${schema}
name: ${app}
stage: dev

Socket:
  component: "@serverless/socket"
  inputs:
    name: ${app}
    region: us-east-1
    # A DynamoDB table of the stage's own for connections and rooms: socket.broadcast reaches every connection.
    connections: registry
`;
}
export const GITIGNORE = `node_modules/
.env
.env.*
`;
/** The README's workflow ("Use it in GitHub Actions"), without its `npm ci` step: a new project has no dependencies. */
export const WORKFLOW = `# .github/workflows/socket.yml
name: socket backend
on:
  pull_request:
    types: [opened, synchronize, reopened, closed]
  push:
    branches: [main]

permissions:
  id-token: write       # GitHub OIDC -> AWS: no stored keys
  contents: read
  pull-requests: write  # the sticky PR comment
  deployments: write    # "View deployment" on the PR (optional)

jobs:
  socket:
    runs-on: ubuntu-latest
    # One group per stage, shared by deploy and teardown; never cancel a teardown halfway.
    concurrency:
      group: socket-\${{ github.event.pull_request.number && format('pr-{0}', github.event.pull_request.number) || github.ref_name }}
      cancel-in-progress: false
    steps:
      - uses: actions/checkout@v4
      - id: socket
        uses: ${ACTION_USES}
        with:
          role-to-assume: arn:aws:iam::123456789012:role/socket-action-deploy
          permissions-boundary: arn:aws:iam::123456789012:policy/socket-action-boundary
          stages: |
            main: prod
      - run: echo "\${{ steps.socket.outputs.url }}"
`;
/** The folder's name as an app name: lower case letters, digits and dashes, starting with a letter. */
export function appNameFor(dir) {
    const name = path
        .basename(path.resolve(dir))
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, '-')
        .replace(/^[^a-z]+|-+$/g, '')
        .slice(0, 40)
        .replace(/-+$/, '');
    return name || 'my-socket';
}
/** Writes the files `dir` lacks; never replaces one (`wx`: not even one created meanwhile). Paths relative to dir. */
export async function initProject(dir) {
    const schema = existsSync(path.join(dir, LOCAL_SCHEMA)) ? `./${LOCAL_SCHEMA}` : SCHEMA_URL;
    const files = [
        ['socket.js', SOCKET_JS],
        ['serverless.yml', serverlessYml(appNameFor(dir), schema)],
        ['.gitignore', GITIGNORE],
        ['.github/workflows/socket.yml', WORKFLOW],
    ];
    const result = { written: [], skipped: [] };
    for (const [name, text] of files) {
        const file = path.join(dir, name);
        await mkdir(path.dirname(file), { recursive: true });
        try {
            await writeFile(file, text, { flag: 'wx' });
            result.written.push(name);
        }
        catch (error) {
            if (error.code !== 'EEXIST')
                throw error;
            result.skipped.push(name);
        }
    }
    return result;
}
export const initCommand = {
    spec: {
        name: 'init',
        summary: 'write a new project: socket.js, serverless.yml, .gitignore and the GitHub workflow',
        synopsis: '[dir]',
        description: `Write a small project into dir (made if missing): socket.js (echo and broadcast routes), serverless.yml
(with the schema comment editors read), .gitignore, and .github/workflows/socket.yml (the README's workflow, using
${ACTION_USES}: set your role ARNs). A file that exists is never overwritten: it is left as it is and listed as
skipped, and the others are written.`,
        positionals: [{ name: 'dir', description: 'the folder to write the project in (default: .)' }],
        options: [],
        notes: 'Then: socket-action dev (no AWS account needed), and socket-action deploy, or push with the workflow.',
    },
    async run(_values, positionals) {
        const dir = positionals[0] ?? '.';
        const kind = await stat(dir).then((s) => (s.isDirectory() ? 'folder' : 'file'), () => 'missing');
        if (kind === 'file')
            throw new UsageError(`the dir argument "${dir}" is a file, not a folder - pass the folder to write in`, 'init');
        await mkdir(dir, { recursive: true });
        const { written, skipped } = await initProject(dir);
        const where = path.relative(process.cwd(), path.resolve(dir)) || '.';
        for (const name of written)
            console.log(`  wrote   ${path.join(where, name)}`);
        for (const name of skipped)
            console.log(`  skipped ${path.join(where, name)} (it exists; left as it is)`);
        if (!written.length)
            console.log('Nothing written: every file exists.');
        else
            console.log(`Next: socket-action dev${where === '.' ? '' : ` ${where}`}`);
        return 0;
    },
};
