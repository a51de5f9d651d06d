#!/usr/bin/env node
// The `socket-action` command. Compiled to dist/npm/src/cli/index.js, which is the package's `bin`; bin.js runs this
// same file from source through tsx (the tests and `npm run dev`).
import { main } from "./main.js";
process.exitCode = await main(process.argv.slice(2));
