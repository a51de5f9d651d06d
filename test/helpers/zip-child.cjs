// Runs an unzipped Lambda package in this fresh process, as Lambda's Node.js runtime would: require index.js, call
// `handler` with a MESSAGE event for each route given, and print one JSON line of timings and what was logged.
//   node zip-child.cjs <folder> <route>...
// The AWS SDK must be resolvable from <folder> (a node_modules link), as Lambda's runtime provides it.
'use strict'
const { performance } = require('node:perf_hooks')
const path = require('node:path')

const [dir, ...routes] = process.argv.slice(2)
const logged = []
console.error = (...args) => logged.push(args.join(' '))
console.warn = () => {}
console.log = () => {}

function messageEvent(route, n) {
  return {
    requestContext: {
      routeKey: '$default',
      eventType: 'MESSAGE',
      connectionId: 'ZDb-VclrIAMCJ3w=',
      domainName: 'abcdefghij.execute-api.us-east-1.amazonaws.com',
      stage: 'dev',
      apiId: 'abcdefghij',
      requestId: `req-${n}`,
      messageId: `msg-${n}`,
      messageDirection: 'IN',
      requestTimeEpoch: 0,
      connectedAt: 0,
    },
    body: JSON.stringify({ route, data: { n } }),
    isBase64Encoded: false,
  }
}

async function main() {
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  const { handler } = require(path.resolve(dir, 'index.js'))
  const cpu = process.cpuUsage(cpu0)
  const loadMs = performance.now() - t0
  const loadCpuMs = (cpu.user + cpu.system) / 1000
  const invocations = []
  for (const [n, route] of routes.entries()) {
    const started = performance.now()
    const cpuStarted = process.cpuUsage()
    let error
    try {
      await handler(messageEvent(route, n), {})
    } catch (e) {
      // Lambda's runtime formats the stack of what the handler threw into its own log line.
      error = { name: e.name, message: e.message, stack: e.stack }
    }
    const cpu = process.cpuUsage(cpuStarted)
    invocations.push({ route, ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, error })
  }
  process.stdout.write(`${JSON.stringify({ loadMs, loadCpuMs, invocations, logged })}\n`)
}

main().catch((e) => {
  process.stdout.write(`${JSON.stringify({ fatal: String(e?.stack) })}\n`)
  process.exitCode = 1
})
