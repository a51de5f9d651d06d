// What a user gets is what git tracks at HEAD (a tag's tarball, `uses: owner/repo@v1`), never the working tree:
// a file that is git-ignored or not committed must make these tests fail, as it would fail every user.
import { execFileSync } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

export const REPO_ROOT = path.join(import.meta.dirname, '../..')

/** Extracts `git archive HEAD` (optionally only `paths`) into a new temporary folder and returns it. */
export async function trackedCopy(prefix: string, paths: string[] = []): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix))
  const archive = execFileSync('git', ['archive', '--format=tar', 'HEAD', '--', ...paths], {
    cwd: REPO_ROOT,
    maxBuffer: 512 * 1024 * 1024,
  })
  execFileSync('tar', ['-x', '-C', dir], { input: archive })
  return dir
}

/** Paths git tracks at HEAD under `prefix` (repository-relative). */
export function trackedFiles(prefix = '.'): string[] {
  return execFileSync('git', ['ls-tree', '-r', '--name-only', 'HEAD', '--', prefix], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean)
}
