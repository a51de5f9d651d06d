// moto behind the shim, with the standard AWS environment pointing at it, and a scratch copy of a project to deploy.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, beforeEach } from 'node:test'
import { ENDPOINT_VARIABLE } from '../../runtime/connections.ts'
import { type Edge, type EdgeOptions, startEdge } from './aws-edge.ts'
import { type Shim, type ShimOptions, startShim } from './aws-shim.ts'
import { startMoto, type Moto } from './moto.ts'

export interface AwsBed {
  moto: Moto
  shim: Shim
  /** API Gateway's data plane at the stages' real URLs, when asked for (startAwsBed({ edge })). */
  edge?: Edge
  /** Resets moto and the shim's state between tests. */
  reset(): Promise<void>
  stop(): Promise<void>
}

export interface AwsBedOptions extends Pick<ShimOptions, 'functionEnv'> {
  /**
   * Start the edge beside the shim (aws-edge.ts): clients reach deployed stages through `edge.proxyUrl`, and the
   * functions' @connections calls go to it (unless functionEnv names another endpoint).
   */
  edge?: boolean | Omit<EdgeOptions, 'awsEndpoint'>
}

export async function startAwsBed(options: AwsBedOptions = {}): Promise<AwsBed> {
  const moto = await startMoto()
  // The shim reads functionEnv whenever it starts a function's environment: the edge's endpoint is added once known.
  const functionEnv: Record<string, string> = { ...options.functionEnv }
  const shim = await startShim({ target: moto.endpoint, functionEnv })
  const edge = options.edge
    ? await startEdge({ awsEndpoint: shim.endpoint, ...(typeof options.edge === 'object' && options.edge) })
    : undefined
  if (edge) functionEnv[ENDPOINT_VARIABLE] ??= edge.connectionsEndpoint
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: shim.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  })
  delete process.env.AWS_PROFILE
  delete process.env.GITHUB_REPOSITORY
  return {
    moto,
    shim,
    ...(edge && { edge }),
    async reset() {
      await edge?.reset()
      await moto.reset()
      shim.reset()
    },
    async stop() {
      await edge?.stop()
      await shim.stop()
      await moto.stop()
    },
  }
}

/** Fast polls and backoff: the shim's Pending/InProgress states last one read, not seconds. */
export const FAST = { waits: { minDelay: 0.01, maxDelay: 0.05, maxWaitTime: 20 }, retryBaseMs: 5 }

export interface Project {
  dir: string
  config: string
  edit(file: string, change: (text: string) => string): Promise<void>
  remove(): Promise<void>
}

export async function scratchProject(from = path.join(import.meta.dirname, '../../examples/echo')): Promise<Project> {
  const dir = await mkdtemp(path.join(tmpdir(), 'socket-action-project-'))
  await cp(from, dir, { recursive: true })
  return {
    dir,
    config: path.join(dir, 'serverless.yml'),
    async edit(file, change) {
      const target = path.join(dir, file)
      await writeFile(target, change(await readFile(target, 'utf8')))
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  }
}

/**
 * The hooks of a suite that deploys on moto: one bed for the suite, then for each test a reset account and a fresh
 * scratch copy of examples/echo. Read `bed` and `project` inside tests (they are set by the hooks).
 */
export function freshStagePerTest(): { readonly bed: AwsBed; readonly project: Project } {
  const suite = {} as { bed: AwsBed; project: Project }
  before(async () => {
    suite.bed = await startAwsBed()
  })
  after(async () => {
    await suite.project?.remove()
    await suite.bed?.stop()
  })
  beforeEach(async () => {
    await suite.bed.reset()
    await suite.project?.remove()
    suite.project = await scratchProject()
  })
  return suite
}
