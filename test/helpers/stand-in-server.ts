// dev's Lambda stand-in (src/dev/lambda.ts, what the shim's Invoke runs) serving one unpacked deployment package, in a
// process of the Node.js under test, at the Runtime Interface Emulator's invoke path; it answers as Lambda's Invoke
// does (200, and X-Amz-Function-Error: Unhandled with the error payload). Started by test/lambda-rie.test.ts as
// `node --import tsx stand-in-server.ts '<json>'`; prints `listening <port>`, and exits when its stdin closes.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { invocationPayload, LocalLambda, type LocalLambdaOptions } from '../../src/dev/lambda.ts'

interface Config {
  taskRoot: string
  handler: string
  options: Omit<LocalLambdaOptions, 'codeDir' | 'output'>
}

const config: Config = JSON.parse(process.argv[2] ?? '{}')
const output: string[] = []
const lambda = new LocalLambda(
  { taskRoot: config.taskRoot, handler: config.handler },
  { ...config.options, codeDir: config.taskRoot, output: (_stream, text) => void output.push(text) },
)

const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', async () => {
    if (req.method === 'GET' && req.url === '/output') {
      res.end(output.join(''))
      return
    }
    const outcome = await lambda.invoke(JSON.parse(Buffer.concat(chunks).toString() || '{}'), 900_000)
    const { functionError, payload } = invocationPayload(outcome, config.taskRoot)
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(outcome.requestId && { 'x-amzn-requestid': outcome.requestId }),
      ...(functionError && { 'x-amz-function-error': 'Unhandled' }),
    })
    res.end(JSON.stringify(payload))
  })
})
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`)
})
process.stdin.resume()
process.stdin.on('end', async () => {
  server.close()
  await lambda.close()
  process.exit(0)
})
