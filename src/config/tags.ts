// YAML tags in serverless.yml: those of the core schema change nothing a plain value would not; any other is refused
// with its name (CloudFormation's intrinsics get their own message), rather than read as text.

/** Tags of the YAML core schema. */
const CORE_TAGS = new Set([
  '!',
  ...['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`),
])
const CLOUDFORMATION_RE =
  /^!(Ref|GetAtt|Sub|Join|ImportValue|Select|Split|FindInMap|GetAZs|Base64|Cidr|If|Equals|And|Or|Not|Condition|Transform|Length|ToJsonString)$/

export const isCoreTag = (tag: string) => CORE_TAGS.has(tag)

/** A tag as written: `!GetAtt`, `!!binary`, `!<tag:example.com:x>`. */
function tagAsWritten(tag: string): string {
  const shown = tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice(18)}` : tag.startsWith('!') ? tag : `!<${tag}>`
  return shown.length > 40 ? `${shown.slice(0, 39)}…` : shown
}

export function tagMessage(tag: string): string {
  const shown = tagAsWritten(tag)
  return CLOUDFORMATION_RE.test(shown)
    ? `CloudFormation intrinsics (${shown}) are not supported here; write the value (e.g. the ARN itself), or take it from the environment with \${env.NAME}`
    : `the YAML tag ${shown} is not supported here - remove it and write the value`
}
