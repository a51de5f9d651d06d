// After `live` moved: the deployed wss:// URL answers as a client sees it. Opens a WebSocket (API Gateway runs
// $connect during the upgrade), and with serverless.yml's smoke message sends it and waits for a reply that contains
// `expect`. A new API's hostname and a new deployment take moments to reach every edge, so connection failures are
// retried until a deadline; a handshake the API answers with a status (the $connect handler said no) is not. The
// handshake carries smoke.headers and smoke.query (credentials a $connect handler checks): the URL with that query is
// never printed, and what the API answered is redacted (the values read from the environment are masked).
// Behind a proxy (HTTPS_PROXY / https_proxy, NO_PROXY: see proxy.ts) the WebSocket goes through a CONNECT tunnel;
// a proxy that inspects TLS is trusted through NODE_EXTRA_CA_CERTS, as for every other Node client.
import type { Agent } from 'node:http'
import { rootCertificates } from 'node:tls'
import { setTimeout as delay } from 'node:timers/promises'
import WebSocket from 'ws'
import { ProxyRefusedError, proxyFor, tunnelAgent } from './proxy.ts'
import type { SmokeInput } from './config/types.ts'
import { credentialInputs } from './config/smoke-headers.ts'
import { redact } from './secrets.ts'

export class VerifyError extends Error {
  override readonly name = 'VerifyError'
}

export interface VerifyOptions {
  url: string
  smoke?: SmokeInput
  /** How long one attempt may take: the upgrade, then the reply (default 10 s). */
  attemptTimeoutMs?: number
  /** How long to wait in all between attempts before giving up (default 60 s). */
  deadlineMs?: number
  sleep?: (ms: number) => Promise<void>
  log?: (line: string) => void
  /** Where HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read (default process.env). */
  env?: Record<string, string | undefined>
  /**
   * Certificate authorities (PEM) trusted for the endpoint besides Node's own, as NODE_EXTRA_CA_CERTS adds them to a
   * whole process (which a process can only be started with).
   */
  extraCa?: string | string[]
}

export interface Verified {
  attempts: number
  /** The reply that contained `expect`, cut short. */
  reply?: string
}

/** An answer that will not change on a retry: the API answered the upgrade with a status. */
class Refused extends Error {}

/** `url` with smoke.query's parameters added (one given in both: smoke.query's value). */
function withQuery(url: string, query: Record<string, string> | undefined): string {
  if (query === undefined || Object.keys(query).length === 0) return url
  const target = new URL(url)
  for (const [name, value] of Object.entries(query)) target.searchParams.set(name, value)
  return target.href
}

interface Route {
  /** The proxy's tunnel, when the URL is not reached directly. */
  agent?: Agent
  ca?: string[]
}

function attempt(
  url: string,
  smoke: SmokeInput | undefined,
  timeoutMs: number,
  route: Route,
): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(withQuery(url, smoke?.query), {
      handshakeTimeout: timeoutMs,
      ...(smoke?.headers && { headers: smoke.headers }),
      ...(route.agent && { agent: route.agent }),
      ...(route.ca && { ca: route.ca }),
    })
    const replies: string[] = []
    const timer = setTimeout(() => {
      ws.terminate()
      reject(
        new Error(
          smoke
            ? `no reply containing ${JSON.stringify(smoke.expect)} within ${timeoutMs / 1000} s${replies.length ? ` (got: ${replies.map((r) => JSON.stringify(r.slice(0, 200))).join(', ')})` : ''}`
            : `no answer within ${timeoutMs / 1000} s`,
        ),
      )
    }, timeoutMs)
    const finish = (error?: Error, reply?: string) => {
      clearTimeout(timer)
      ws.removeAllListeners()
      ws.on('error', () => undefined)
      ws.close()
      if (error) reject(error)
      else resolve(reply)
    }
    ws.on('unexpected-response', (_req, res) => {
      res.resume()
      const status = res.statusCode ?? 0
      // A 4xx is the $connect handler deciding (no credentials here): it ran, unless a smoke message needs the
      // connection. A 5xx may be a new API or permission not yet everywhere: retried like a failed connection.
      if (status >= 400 && status < 500 && !smoke) return finish()
      const given = credentialInputs(smoke)
      const sent = given ? ` (with ${given}; their values are not shown)` : ''
      const answered = `the $connect handshake was answered ${`${status} ${res.statusMessage ?? ''}`.trim()}${sent}`
      finish(status >= 400 && status < 500 ? new Refused(answered) : new Error(answered))
    })
    ws.on('error', (error) => finish(error))
    ws.on('close', (code, reason) =>
      finish(new Error(`the connection closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`)),
    )
    ws.on('open', () => {
      if (!smoke) return finish()
      ws.send(smoke.message)
    })
    ws.on('message', (data) => {
      const text = Array.isArray(data) ? Buffer.concat(data).toString() : data.toString()
      replies.push(text)
      if (smoke && text.includes(smoke.expect)) finish(undefined, text.slice(0, 200))
    })
  })
}

/** Connects to `url` (and runs the smoke message) until it works, the API refuses, or the deadline passes. */
export async function verifyEndpoint(options: VerifyOptions): Promise<Verified> {
  const { url, smoke, attemptTimeoutMs = 10_000, deadlineMs = 60_000, sleep = (ms) => delay(ms) } = options
  let proxy: ReturnType<typeof proxyFor>
  try {
    proxy = proxyFor(url, options.env ?? process.env)
  } catch (error) {
    throw new VerifyError(redact(`${url} cannot be verified: ${(error as Error).message}`))
  }
  const extra = typeof options.extraCa === 'string' ? [options.extraCa] : options.extraCa
  const route: Route = {
    ...(proxy && { agent: tunnelAgent(url, proxy, { timeoutMs: attemptTimeoutMs }) }),
    ...(extra?.length && { ca: [...rootCertificates, ...extra] }),
  }
  if (proxy) options.log?.(`verify ${url}: through the proxy ${proxy.shown} (${proxy.variable})`)
  let waited = 0
  let last: Error | undefined
  try {
    for (let attempts = 1; ; attempts++) {
      try {
        const reply = await attempt(url, smoke, attemptTimeoutMs, route)
        return reply === undefined ? { attempts } : { attempts, reply }
      } catch (error) {
        last = error as Error
        if (error instanceof Refused || error instanceof ProxyRefusedError || waited >= deadlineMs) break
        const pause = Math.min(1000 * 2 ** (attempts - 1), 8000, deadlineMs - waited)
        options.log?.(redact(`verify ${url}: ${last.message}; trying again in ${Math.round(pause / 100) / 10} s`))
        await sleep(pause)
        waited += pause
      }
    }
  } finally {
    route.agent?.destroy()
  }
  throw new VerifyError(redact(`${url} does not work: ${last?.message ?? 'no attempt was made'}`))
}
