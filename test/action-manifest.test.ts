// action.yml is what GitHub reads before any of our code runs: parse it strictly, as the runner does, and check it
// against the code, so a typo in either is a test failure and not an input silently ignored for every user.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { parseDocument } from 'yaml'
import { REPO_ROOT, trackedFiles } from './helpers/tracked.ts'

const ACTION_SOURCES = path.join(REPO_ROOT, 'src/action')

interface Manifest {
  name: string
  description: string
  inputs: Record<string, { description: string; default?: string; required?: boolean }>
  outputs: Record<string, { description: string }>
  runs: { using: string; main: string }
}

function trackedManifest(): Manifest {
  const text = execFileSync('git', ['show', 'HEAD:action.yml'], { cwd: REPO_ROOT, encoding: 'utf8' })
  const doc = parseDocument(text, { strict: true, uniqueKeys: true, prettyErrors: true })
  assert.deepEqual(doc.errors.map(String), [], 'action.yml (as committed) is not valid YAML')
  assert.deepEqual(doc.warnings.map(String), [])
  return doc.toJS() as Manifest
}

/** Names the Action's code passes to @actions/core for one kind of call. */
function namesIn(pattern: RegExp): Set<string> {
  const names = new Set<string>()
  for (const file of readdirSync(ACTION_SOURCES).filter((f) => f.endsWith('.ts'))) {
    for (const m of readFileSync(path.join(ACTION_SOURCES, file), 'utf8').matchAll(pattern)) names.add(m[1]!)
  }
  return names
}

const manifest = trackedManifest()

test('action.yml has a name, a description, and every input and output described', () => {
  assert.ok(manifest.name && manifest.description)
  for (const [name, input] of Object.entries(manifest.inputs))
    assert.ok(typeof input.description === 'string' && input.description.length > 0, `input ${name}`)
  for (const [name, output] of Object.entries(manifest.outputs))
    assert.ok(typeof output.description === 'string' && output.description.length > 0, `output ${name}`)
})

test('every input the code reads is declared, and every declared input is read', () => {
  const read = namesIn(/\b(?:getInput|getBooleanInput|getMultilineInput|flag)\(\s*'([^']+)'/g)
  assert.ok(read.size >= 10, `found only ${[...read].join(', ')}: has the way inputs are read changed?`)
  assert.deepEqual([...read].sort(), Object.keys(manifest.inputs).sort())
})

test('every output the code sets is declared', () => {
  const set = namesIn(/\bsetOutput\(\s*'([^']+)'/g)
  assert.ok(set.size >= 5, `found only ${[...set].join(', ')}`)
  const declared = new Set(Object.keys(manifest.outputs))
  assert.deepEqual(
    [...set].filter((name) => !declared.has(name)),
    [],
    'set but not declared',
  )
  assert.deepEqual(
    [...declared].filter((name) => !set.has(name)),
    [],
    'declared but never set',
  )
})

test('it runs on node24 from a main that git tracks', () => {
  assert.equal(manifest.runs.using, 'node24')
  assert.ok(trackedFiles('dist').includes(manifest.runs.main), `${manifest.runs.main} is not tracked by git`)
})

test("the Action's tag ships the MIT license: LICENSE is tracked at the repository root", () => {
  assert.ok(trackedFiles('LICENSE').includes('LICENSE'), 'LICENSE is not tracked by git')
  assert.match(readFileSync(path.join(REPO_ROOT, 'LICENSE'), 'utf8'), /^MIT License\n/)
})

test('no file of dist/ matches a .gitignore rule (runners such as act drop ignored files when they copy an action)', () => {
  const ignored = execFileSync('git', ['ls-files', '--cached', '--ignored', '--exclude-standard', '--', 'dist'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  })
  assert.equal(ignored, '')
})
