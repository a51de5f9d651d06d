// The command line: options whose values are wrong, or point at things that are not a project.
import type { HostileCase } from './case.ts'
import { withInputs } from './case.ts'

export const cases: HostileCase[] = [
  {
    name: 'a misspelt input is named with its line and a did-you-mean',
    files: { 'serverless.yml': withInputs('    regoin: us-east-1\n') },
    expect: { exit: 2, message: /unknown input "regoin" - did you mean "region"\?/, at: 'serverless.yml:4' },
  },
]
