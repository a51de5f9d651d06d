// Source map post-processing for the Lambda bundle: keep only the mappings of chosen sources (the user's files and
// the runtime, not node_modules), so the map stays small; turn a map into an inline `sourceMappingURL` comment; and
// find where a mapped stack trace enters the user's code.
import path from 'node:path'

export interface RawSourceMap {
  version: number
  sources: string[]
  sourcesContent?: Array<string | null>
  names: string[]
  mappings: string
  sourceRoot?: string
  file?: string
  [other: string]: unknown
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]))

/** A segment with absolute values: [generatedColumn] or [generatedColumn, source, line, column] (+ name). */
type Segment = number[]

function decodeVlq(text: string): number[] {
  const out: number[] = []
  let value = 0
  let shift = 0
  for (const c of text) {
    const digit = DIGIT.get(c)
    if (digit === undefined) throw new Error(`invalid base64 VLQ digit "${c}" in a source map`)
    value += (digit & 31) << shift
    if (digit & 32) {
      shift += 5
      continue
    }
    out.push(value & 1 ? -(value >>> 1) : value >>> 1)
    value = 0
    shift = 0
  }
  return out
}

function encodeVlq(n: number): string {
  let value = n < 0 ? (-n << 1) | 1 : n << 1
  let out = ''
  do {
    let digit = value & 31
    value >>>= 5
    if (value > 0) digit |= 32
    out += BASE64[digit]
  } while (value > 0)
  return out
}

export function decodeMappings(mappings: string): Segment[][] {
  const state = [0, 0, 0, 0, 0]
  return mappings.split(';').map((line) => {
    state[0] = 0
    if (line === '') return []
    return line.split(',').map((text) => {
      const fields = decodeVlq(text)
      return fields.map((delta, i) => (state[i]! += delta))
    })
  })
}

export function encodeMappings(lines: Segment[][]): string {
  const state = [0, 0, 0, 0, 0]
  return lines
    .map((segments) => {
      state[0] = 0
      return segments
        .map((segment) =>
          segment
            .map((value, i) => {
              const delta = value - state[i]!
              state[i] = value
              return encodeVlq(delta)
            })
            .join(''),
        )
        .join(',')
    })
    .join(';')
}

/**
 * The map with only the mappings into sources `keep` accepts. A run of code from other sources gets one source-less
 * segment where it starts, so a position inside it maps to nothing (Node.js then prints the bundle's own line) instead
 * of to the kept code before it.
 */
export function restrictSourceMap(map: RawSourceMap, keep: (source: string) => boolean): RawSourceMap {
  const kept = map.sources.map((s) => keep(s))
  const sourceIndex = new Map<number, number>()
  const nameIndex = new Map<number, number>()
  const sources: string[] = []
  const sourcesContent: Array<string | null> = []
  const names: string[] = []
  // Whether the last segment so far maps into a kept source. Node.js looks a position up as the last segment at or
  // before it, on whatever line that is: so dependency code after kept code needs its terminator, even lines later.
  let open = false
  const lines = decodeMappings(map.mappings).map((segments) => {
    const out: Segment[] = []
    for (const segment of segments) {
      if (segment.length === 1 || !kept[segment[1]!]) {
        if (open) out.push([segment[0]!])
        open = false
        continue
      }
      let source = sourceIndex.get(segment[1]!)
      if (source === undefined) {
        source = sources.push(map.sources[segment[1]!]!) - 1
        sourceIndex.set(segment[1]!, source)
        if (map.sourcesContent) sourcesContent.push(map.sourcesContent[segment[1]!] ?? null)
      }
      const mapped = [segment[0]!, source, segment[2]!, segment[3]!]
      if (segment.length === 5) {
        let name = nameIndex.get(segment[4]!)
        if (name === undefined) {
          name = names.push(map.names[segment[4]!]!) - 1
          nameIndex.set(segment[4]!, name)
        }
        mapped.push(name)
      }
      out.push(mapped)
      open = true
    }
    return out
  })
  return { ...map, sources, ...(map.sourcesContent && { sourcesContent }), names, mappings: encodeMappings(lines) }
}

/** A source esbuild names relative to the output folder that lies in an installed package. */
export function isDependency(source: string): boolean {
  return /(^|\/)node_modules\//.test(source)
}

/** The `//# sourceMappingURL=` comment that carries the map itself (base64 JSON). */
export function inlineSourceMapComment(map: RawSourceMap): string {
  return `//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`
}

/**
 * Where a mapped stack trace first enters the user's code, as `file:line:column` relative to `codeDir`: the first frame
 * in a file that is neither Node.js's, the runtime's (`socket-action-runtime:`), an installed package's, nor the
 * bundle itself (`bundleFile`: code the map leaves unmapped, i.e. a dependency's). Undefined when there is none.
 */
export function stackOrigin(stack: string | undefined, codeDir: string, bundleFile: string): string | undefined {
  for (const line of (stack ?? '').split('\n')) {
    const frame = line.trim()
    if (!frame.startsWith('at ')) continue
    const location = frame.endsWith(')')
      ? frame.slice(frame.lastIndexOf('(') + 1, -1)
      : frame.slice(3).replace(/^async /, '')
    const match = /^(.*):(\d+):(\d+)$/.exec(location)
    if (!match) continue
    const file = match[1]!.startsWith('file://') ? decodeURIComponent(new URL(match[1]!).pathname) : match[1]!
    if (!path.isAbsolute(file) || file === bundleFile || /[\\/]node_modules[\\/]/.test(file)) continue
    return `${path.relative(codeDir, file).split(path.sep).join('/')}:${match[2]}:${match[3]}`
  }
  return undefined
}
