// Where a file stops being UTF-8 text, for messages that name the line: serverless.yml (read.ts) and the files
// socket.js bundles (bundle/guard.ts). The check is the platform's (buffer.isUtf8, a fatal TextDecoder).
import { isUtf8 } from 'node:buffer'

/** The offset of the first byte that is not part of valid UTF-8 (RFC 3629), or -1 when it all is. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  if (isUtf8(bytes)) return -1
  // The longest prefix that decodes (an unfinished last sequence allowed): the next sequence is the bad one.
  const decodes = (end: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end), { stream: true })
      return true
    } catch {
      return false
    }
  }
  let ok = 0
  let bad = bytes.length
  while (bad - ok > 1) {
    const mid = (ok + bad) >>> 1
    if (decodes(mid)) ok = mid
    else bad = mid
  }
  // bytes[0, ok) decodes, but may end in an unfinished sequence: the one that fails starts at its lead byte.
  for (let at = ok - 1; at >= 0 && at >= ok - 3; at--) {
    const lead = bytes[at]!
    if ((lead & 0xc0) === 0x80) continue
    const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1
    return ok - at < length ? at : ok
  }
  return ok
}

/** The 1-based line and column (in characters) of a byte offset of UTF-8 text. */
export function lineAndColumn(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1
  let start = 0
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < offset; i = bytes.indexOf(0x0a, i + 1)) {
    line++
    start = i + 1
  }
  return { line, column: new TextDecoder().decode(bytes.subarray(start, offset)).length + 1 }
}
