// Runs one bundled handler in a worker thread, as a Lambda execution environment would: its own globals and env,
// the AWS SDK resolvable the way the Lambda Node.js runtime provides it (on the module search path, not in the bundle).
import { Module } from 'node:module'
import { parentPort, workerData } from 'node:worker_threads'

const { code, filename, sdkPaths, functionName } = workerData

function serializeError(error) {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack }
  return { name: 'Error', message: String(error) }
}

let handler
// The bundle carries its source map inline: stack traces name socket.js lines, as the deployed function's do.
process.setSourceMapsEnabled(true)
try {
  const mod = new Module(filename)
  mod.filename = filename
  mod.paths = [...sdkPaths, ...Module._nodeModulePaths(filename.slice(0, filename.lastIndexOf('/')))]
  mod._compile(code, filename)
  handler = mod.exports.handler
  if (typeof handler !== 'function') throw new TypeError(`${filename} does not export a function "handler"`)
  parentPort.postMessage({ type: 'ready' })
} catch (error) {
  parentPort.postMessage({ type: 'init-error', error: serializeError(error) })
}

parentPort.on('message', async (message) => {
  if (message.type !== 'invoke') return
  const { id, event, deadline } = message
  const context = {
    awsRequestId: event.requestContext?.requestId,
    functionName,
    functionVersion: '$LATEST',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    callbackWaitsForEmptyEventLoop: true,
  }
  try {
    if (!handler) throw new Error('the handler failed to initialize (see the error above)')
    const result = await handler(event, context)
    parentPort.postMessage({ type: 'result', id, result })
  } catch (error) {
    parentPort.postMessage({ type: 'error', id, error: serializeError(error) })
  }
})
