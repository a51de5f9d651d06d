export type { Diagnostic } from './diagnostics.ts'
export { ConfigError, formatDiagnostic } from './diagnostics.ts'
export type {
  SocketInputs,
  IamStatement,
  ParsedComponent,
  ParsedConfig,
  DefaultableField,
  SocketConfig,
  LoadedConfig,
} from './types.ts'
export { loadConfig } from './load.ts'
export { ComponentChoiceError, pickSocket } from './pick.ts'
