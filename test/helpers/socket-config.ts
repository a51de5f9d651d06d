// One loaded socket component for the engine's unit tests: what loadConfig would return for a minimal project
// ("chat", stage prod, us-east-1), with the fields a test cares about given as overrides.
import type { SocketConfig } from '../../src/config/index.ts'

export function socketConfig(overrides: Partial<SocketConfig> = {}): SocketConfig {
  return {
    componentKey: 'Socket',
    configFile: '/p/serverless.yml',
    app: 'chat',
    stage: 'prod',
    region: 'us-east-1',
    memory: 512,
    timeout: 10,
    description: 'd',
    env: {},
    codeDir: '/p',
    handlerFile: '/p/socket.js',
    defaulted: [],
    runtime: 'nodejs24.x',
    architecture: 'arm64',
    policy: [],
    logRetentionDays: 30,
    keepVersions: 5,
    ...overrides,
  }
}
