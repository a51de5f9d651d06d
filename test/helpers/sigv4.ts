// An independent SigV4 check (not the SDK's code) of a POST the local @connections server received.
import assert from 'node:assert/strict'
import { createHash, createHmac } from 'node:crypto'
import type http from 'node:http'

export interface SignedRequest {
  rawUrl: string
  headers: http.IncomingHttpHeaders
  body: Buffer
}

export const sha256hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest()
const escapeLabel = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** Recomputes the request's SigV4 signature from what the server received; returns [expected, received]. */
export function signatures(req: SignedRequest, secret: string): [string, string] {
  const auth = String(req.headers.authorization)
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    )
  assert.ok(m, `not a SigV4 Authorization header: ${auth}`)
  const [, , day, region, service, signedHeaders, signature] = m
  const amzDate = String(req.headers['x-amz-date'])
  const names = signedHeaders!.split(';')
  assert.ok(names.includes('host') && names.includes('x-amz-date'), signedHeaders)
  // API Gateway (not S3): each path segment is escaped once more in the canonical URI.
  const canonicalUri = req.rawUrl.split('?')[0]!.split('/').map(escapeLabel).join('/')
  const canonicalHeaders = names.map((n) => `${n}:${String(req.headers[n]).trim().replace(/\s+/g, ' ')}\n`).join('')
  const canonical = ['POST', canonicalUri, '', canonicalHeaders, signedHeaders, sha256hex(req.body)].join('\n')
  const scope = `${day}/${region}/${service}/aws4_request`
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(canonical)].join('\n')
  let key: Buffer = hmac(`AWS4${secret}`, day!)
  for (const part of [region!, service!, 'aws4_request']) key = hmac(key, part)
  return [createHmac('sha256', key).update(toSign).digest('hex'), signature!]
}
