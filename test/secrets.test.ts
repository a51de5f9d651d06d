// The masks: what serverless.yml read from the environment is redacted from everything printed or posted.
import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { test } from 'node:test'
import { MASK, maskStreams, maskValue, onMasked, redact } from '../src/secrets.ts'

test('a masked value is redacted wherever it appears, the longest of overlapping values first', () => {
  maskValue('sv-token-abc')
  maskValue('sv-token-abc-extended')
  assert.equal(redact('a sv-token-abc-extended b sv-token-abc c'), `a ${MASK} b ${MASK} c`)
})

test('every line of a multi-line value is masked on its own; values under 4 characters are not masked', () => {
  maskValue('sv-line-one\nsv-line-two')
  maskValue('abc')
  assert.equal(redact('x sv-line-two y abc'), `x ${MASK} y abc`)
})

test('onMasked hears values masked before and after it listens', () => {
  maskValue('sv-before-listen')
  const heard: string[] = []
  onMasked((v) => heard.push(v))
  maskValue('sv-after-listen')
  assert.ok(heard.includes('sv-before-listen'))
  assert.ok(heard.includes('sv-after-listen'))
})

test("a masked stream redacts strings and bytes, and leaves the runner's add-mask command whole", () => {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream
  let out = ''
  ;(stream as unknown as PassThrough).on('data', (d: Buffer) => (out += d.toString('utf8')))
  maskStreams([stream])
  maskValue('sv-stream-secret')
  stream.write('::add-mask::sv-stream-secret\n')
  stream.write('error: got sv-stream-secret\n')
  stream.write(Buffer.from('bytes sv-stream-secret\n'))
  assert.equal(out, `::add-mask::sv-stream-secret\nerror: got ${MASK}\nbytes ${MASK}\n`)
})
