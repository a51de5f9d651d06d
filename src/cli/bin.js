#!/usr/bin/env node
// Runs the CLI straight from the TypeScript source through tsx (a dev dependency): the tests and `npm run dev` use it,
// so they never depend on a stale build. The package's `bin` is the compiled dist/npm/src/cli/index.js instead.
import { register } from 'tsx/esm/api'

register()
await import('./index.ts')
