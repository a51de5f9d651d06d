#!/usr/bin/env node
// The `socket-action` command. Compiled to dist/npm/src/cli/index.js, which is the package's `bin`; bin.js runs this
// same file from source through tsx (the tests and `npm run dev`).
import { maskStreams } from '../secrets.ts'
import { main } from './main.ts'

// Values serverless.yml read from the environment are never printed (src/secrets.ts).
maskStreams()
process.exitCode = await main(process.argv.slice(2))
