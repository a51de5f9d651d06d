// Whether a region (--region, the Action's aws-region, serverless.yml's region) is one to send requests to. The
// schema accepts the same names: the known ones, and AWS's shape (regionShape), which the pipeline then warns about.
import schema from '../../schema/serverless.schema.json' with { type: 'json' }
import { AWS_REGIONS } from './regions.ts'
import { didYouMean } from './suggest.ts'

/**
 * The shape of every AWS region name: a two-letter area, an optional partition marker, a compass direction and a
 * number (us-east-1, us-gov-west-1, us-isob-east-1, ap-southeast-7). A name of this shape that is not in AWS_REGIONS
 * may be a region launched after this version: it is used, with a warning. Anything else is a typo.
 */
const REGION_SHAPE = new RegExp(schema.definitions.regionShape.pattern)

export type RegionCheck = { ok: true; warning?: string } | { ok: false; problem: string }

/**
 * `region` checked against the known regions. `label` is how the message names it (`--region "us-est-1"`). A region
 * of AWS's shape that this version does not know is accepted with a warning (AWS opens regions more often than this
 * list is updated); one of any other shape is rejected before any request, with the closest known names.
 */
export function checkRegion(region: string, label: string): RegionCheck {
  if (AWS_REGIONS.includes(region)) return { ok: true }
  const hint = didYouMean(region, AWS_REGIONS, 3)
  if (REGION_SHAPE.test(region)) {
    return {
      ok: true,
      warning: `${label} is not one of the AWS regions this version of socket-action knows; using it as given${hint ? ` - if it is a typo, ${hint}` : ''}`,
    }
  }
  const fix = hint ?? `AWS regions look like us-east-1; the known ones are ${AWS_REGIONS.join(', ')}`
  return { ok: false, problem: `${label} is not an AWS region - ${fix}` }
}
