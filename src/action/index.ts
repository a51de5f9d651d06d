// The Action's entry point: secrets masked in everything it prints (and registered with the runner), then run().
import * as core from '@actions/core'
import { maskStreams, onMasked } from '../secrets.ts'
import { run } from './run.ts'

maskStreams()
onMasked((value) => core.setSecret(value))
await run()
