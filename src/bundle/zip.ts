// A deterministic zip: fflate's zipSync with a fixed timestamp and fixed permissions, entries in the given order, pure-JS
// deflate, so the bytes, and so Lambda's CodeSha256, are the same on every machine, folder and Node.js version.
import { createHash } from 'node:crypto'
import { type Zippable, zipSync } from 'fflate'

export interface ZipEntry {
  name: string
  data: Uint8Array
}

// fflate writes the DOS time from the Date's local-time fields, so a Date built from local fields gives 1980-01-01 00:00
// in every time zone.
const MTIME_1980_01_01 = new Date(1980, 0, 1, 0, 0, 0)
const UNIX_FILE_0644 = (0o100644 << 16) >>> 0
const OS_UNIX = 3
const INDEX_LIKE = /^(0|[1-9]\d*)$/

export function zip(entries: ZipEntry[]): Buffer {
  const files: Zippable = {}
  for (const { name, data } of entries) {
    // An object keeps insertion order except for array-index keys, which would move to the front.
    if (INDEX_LIKE.test(name)) throw new Error(`zip: the entry name "${name}" would not keep its place in the archive`)
    if (name in files) throw new Error(`zip: the entry "${name}" is given twice`)
    files[name] = [data, { level: 9, mtime: MTIME_1980_01_01, attrs: UNIX_FILE_0644, os: OS_UNIX }]
  }
  const bytes = zipSync(files)
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** base64 of the SHA-256 of the bytes: what Lambda reports as CodeSha256. */
export function codeSha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64')
}
