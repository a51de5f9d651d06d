/** Optimal string alignment (restricted Damerau-Levenshtein) distance. */
export function editDistance(a: string, b: string): number {
  const n = a.length
  const m = b.length
  if (n === 0) return m
  if (m === 0) return n
  // d[i][j] flattened
  const w = m + 1
  const d = new Array<number>((n + 1) * w).fill(0)
  for (let i = 0; i <= n; i++) d[i * w] = i
  for (let j = 0; j <= m; j++) d[j] = j
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let v = Math.min(d[(i - 1) * w + j]! + 1, d[i * w + j - 1]! + 1, d[(i - 1) * w + j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[(i - 2) * w + j - 2]! + 1)
      }
      d[i * w + j] = v
    }
  }
  return d[n * w + m]!
}

/** Candidates within `max` edits of `input` (case-insensitive), closest first. */
export function closest(input: string, candidates: readonly string[], max = 2): string[] {
  const lower = input.toLowerCase()
  let best = Infinity
  let found: string[] = []
  for (const c of candidates) {
    const dist = editDistance(lower, c.toLowerCase())
    if (dist > max || dist >= Math.max(lower.length, c.length)) continue
    if (dist < best) {
      best = dist
      found = [c]
    } else if (dist === best) {
      found.push(c)
    }
  }
  return found.slice(0, 3)
}

/** `did you mean "x"?` / `did you mean "x" or "y"?`, or undefined when nothing is close. */
export function didYouMean(input: string, candidates: readonly string[], max = 2): string | undefined {
  const found = closest(input, candidates, max)
  if (found.length === 0) return undefined
  const quoted = found.map((c) => `"${c}"`)
  const last = quoted.pop()!
  return `did you mean ${quoted.length ? `${quoted.join(', ')} or ${last}` : last}?`
}
