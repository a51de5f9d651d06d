// A Lambda Node.js execution environment as far as the AWS SDK goes: the deployment package's files in a folder
// outside any node_modules (Lambda's /var/task), and NODE_PATH (set by the parent) naming the folder that holds the
// runtime's SDK (Lambda's /var/runtime/node_modules). So the bundle's require('@aws-sdk/...') gets that SDK, the one
// users' functions get, and not the project's. Invoked over IPC: {id, event} in, {id, result, outcome, logs} out.
'use strict'
const { createRequire } = require('node:module')
const path = require('node:path')

const taskDir = process.argv[2]
const index = path.join(taskDir, 'index.js')
const { handler } = require(index)
const fromTask = createRequire(index)
const sdkEntry = fromTask.resolve('@aws-sdk/client-apigatewaymanagementapi')
const sdkVersion = fromTask('@aws-sdk/client-apigatewaymanagementapi/package.json').version

// What the function prints during an invocation goes back with its result (as Lambda's log of the invocation), so
// the parent need not wait for its output pipes.
let logs = ''
for (const name of ['stdout', 'stderr']) {
  const write = process[name].write.bind(process[name])
  process[name].write = (chunk, ...rest) => {
    logs += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()
    return write(chunk, ...rest)
  }
}

process.send({ type: 'ready', sdkEntry, sdkVersion })

process.on('message', async ({ id, event }) => {
  globalThis.sendOutcome = undefined
  logs = ''
  const context = {
    awsRequestId: event.requestContext.requestId,
    functionName: 'send-sdk',
    functionVersion: '$LATEST',
    memoryLimitInMB: '128',
    getRemainingTimeInMillis: () => 29_000,
    callbackWaitsForEmptyEventLoop: true,
  }
  try {
    const result = await handler(event, context)
    process.send({ type: 'result', id, result, outcome: globalThis.sendOutcome, logs })
  } catch (error) {
    process.send({ type: 'result', id, error: String(error?.stack ?? error), outcome: globalThis.sendOutcome, logs })
  }
})
