export interface SocketInputs {
  name?: string
  description?: string
  region?: string
  memory?: number
  timeout?: number
  env?: Record<string, string>
  code?: string
}

export interface ParsedComponent {
  key: string
  component: string
  inputs: SocketInputs
  /** 1-based line of the component key */
  line: number
}

/** Exactly what the user wrote (after ${env.X} substitution), no defaults. */
export interface ParsedConfig {
  file: string
  name?: string
  stage?: string
  components: ParsedComponent[]
}

export type DefaultableField = 'app' | 'stage' | 'region' | 'memory' | 'timeout' | 'description' | 'env' | 'code'

/** One resolved socket component, defaults applied. */
export interface SocketConfig {
  componentKey: string
  configFile: string
  app: string
  stage: string
  region: string
  memory: number
  timeout: number
  description: string
  env: Record<string, string>
  codeDir: string
  handlerFile: string
  defaulted: DefaultableField[]
}

export interface LoadedConfig {
  parsed: ParsedConfig
  sockets: SocketConfig[]
}

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>
  stage?: string
}
