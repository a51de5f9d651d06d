// The planner and a custom domain (`domain:`): a pure function of (desired, observed), no AWS.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { desiredState } from '../src/engine/desired.ts'
import type {
  Action,
  DesiredState,
  ObservedCertificate,
  ObservedDomain,
  ObservedRecord,
  ObservedState,
} from '../src/engine/model.ts'
import { AWS_PARTITION, TAG_DOMAIN, TAG_HOSTED_ZONE } from '../src/engine/names.ts'
import { certificateCovers, pickCertificate } from '../src/engine/plan-domain.ts'
import { planDeploy, planRemove, PlanError } from '../src/engine/plan.ts'
import { Ref } from '../src/engine/refs.ts'
import { deployedState } from './helpers/observed-state.ts'
import { socketConfig } from './helpers/socket-config.ts'

const identity = { app: 'chat', stage: 'prod', repo: 'octo/sockets', region: 'us-east-1' }
const ACCOUNT = '111111111111'
const NAME = 'ws.example.com'
const ZONE = { id: 'Z0EXAMPLE', name: 'example.com' }
const TARGET = { dnsName: 'd-abcdefghij.execute-api.us-east-1.amazonaws.com', hostedZoneId: 'Z1UJRXOUMOOFQ8' }
const CERT = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/exact`
const WILDCARD = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/wildcard`

function desiredWith(domain?: { hostedZone?: string }): DesiredState {
  return desiredState({
    socket: socketConfig(
      domain
        ? { domain: { name: NAME, pattern: NAME, ...(domain.hostedZone ? { hostedZone: domain.hostedZone } : {}) } }
        : {},
    ),
    identity,
    region: 'us-east-1',
    account: ACCOUNT,
    partition: AWS_PARTITION,
    codeSha256: 'sha-1',
    handler: 'index.handler',
    version: '1.0.0',
  })
}

const certificates: ObservedCertificate[] = [
  { arn: WILDCARD, names: ['*.example.com'], status: 'ISSUED', notAfter: '2027-06-01T00:00:00.000Z' },
  { arn: CERT, names: [NAME], status: 'ISSUED', notAfter: '2027-01-01T00:00:00.000Z' },
  { arn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/pending`, names: [NAME], status: 'PENDING_VALIDATION' },
]

const empty: ObservedState = { account: ACCOUNT, partition: AWS_PARTITION, apis: [], foreign: [] }

function ourDomain(desired: DesiredState, overrides: Partial<ObservedDomain> = {}): ObservedDomain {
  return {
    name: NAME,
    arn: `arn:aws:apigateway:us-east-1::/domainnames/${NAME}`,
    tags: { ...desired.tags, [TAG_HOSTED_ZONE]: ZONE.id },
    ours: true,
    certificateArn: CERT,
    endpointType: 'REGIONAL',
    securityPolicy: 'TLS_1_2',
    target: TARGET,
    status: 'AVAILABLE',
    mappings: [{ id: 'map1', apiId: 'abc123', stage: 'prod', key: '' }],
    ...overrides,
  }
}

const aliasRecord = (overrides: Partial<ObservedRecord> = {}): ObservedRecord => ({
  zoneId: ZONE.id,
  name: `${NAME}.`,
  type: 'A',
  alias: { dnsName: `${TARGET.dnsName}.`, hostedZoneId: TARGET.hostedZoneId, evaluateTargetHealth: false },
  ...overrides,
})

/** A stage deployed with its domain, mapping and record (the API records the domain in its tags). */
function deployedWithDomain(desired: DesiredState, domain: Partial<ObservedDomain> = {}): ObservedState {
  const base = deployedState(desired)
  return {
    ...base,
    apis: base.apis.map((api) => ({ ...api, tags: { ...api.tags, [TAG_DOMAIN]: NAME } })),
    domains: [ourDomain(desired, domain)],
    certificates,
    hostedZone: ZONE,
    records: [aliasRecord()],
  }
}

const byWrite = (actions: Action[], write: Action['write']) => actions.filter((a) => a.write === write)
const one = <W extends Action['write']>(actions: Action[], write: W) => {
  const found = byWrite(actions, write)
  assert.equal(found.length, 1, `one ${write} in ${actions.map((a) => a.write).join(', ')}`)
  return found[0] as Extract<Action, { write: W }>
}
const position = (actions: Action[], write: Action['write']) => actions.findIndex((a) => a.write === write)

describe('certificates', () => {
  test('a wildcard covers exactly one label; names compare without case or trailing dot', () => {
    assert.ok(certificateCovers('*.example.com', 'ws.example.com'))
    assert.ok(certificateCovers('WS.Example.com.', 'ws.example.com'))
    assert.ok(!certificateCovers('*.example.com', 'a.ws.example.com'))
    assert.ok(!certificateCovers('*.example.com', 'example.com'))
    assert.ok(!certificateCovers('*.example.com', 'ws.example.org'))
  })

  test('an exact ISSUED certificate is chosen before a wildcard one valid longer; pending ones never', () => {
    assert.equal(pickCertificate(NAME, certificates)?.arn, CERT)
    assert.equal(pickCertificate('pr-1.example.com', certificates)?.arn, WILDCARD)
    assert.equal(
      pickCertificate(
        NAME,
        certificates.filter((c) => c.status !== 'ISSUED'),
      ),
      undefined,
    )
  })
})

describe('a new stage with a domain', () => {
  const desired = desiredWith({ hostedZone: 'example.com' })
  const observed: ObservedState = { ...empty, domains: [], certificates, hostedZone: ZONE, records: [] }
  const plan = planDeploy(desired, observed)

  test('creates the domain name with the certificate, regional and TLS 1.2, tagged with the zone of its record', () => {
    const create = one(plan.actions, 'CreateDomainName')
    assert.deepEqual(create.params.DomainNameConfigurations, [
      { CertificateArn: CERT, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' },
    ])
    assert.equal(create.params.Tags?.[TAG_HOSTED_ZONE], ZONE.id)
    assert.equal(create.params.Tags?.['socket-action:stage'], 'prod')
  })

  test('maps the domain to the stage once both exist, at the root', () => {
    const mapping = one(plan.actions, 'CreateApiMapping')
    assert.equal(mapping.params.ApiMappingKey, '')
    assert.equal(mapping.params.Stage, 'prod')
    assert.ok(mapping.params.ApiId instanceof Ref)
    for (const write of ['CreateDomainName', 'CreateStage', 'CreateApi'] as const)
      assert.ok(mapping.after.includes(one(plan.actions, write).id), `after ${write}`)
    assert.ok(position(plan.actions, 'CreateApiMapping') > position(plan.actions, 'CreateStage'))
  })

  test("writes the alias record to the domain's target, known once the domain name exists", () => {
    const record = one(plan.actions, 'CreateRecord')
    assert.equal(record.params.HostedZoneId, ZONE.id)
    assert.equal(String(record.params.AliasTarget.DNSName), '${domainTarget}')
    assert.equal(String(record.params.AliasTarget.HostedZoneId), '${domainZoneId}')
    assert.deepEqual(record.after, [one(plan.actions, 'CreateDomainName').id])
  })

  test('the API records the domain it is mapped to', () => {
    assert.equal(one(plan.actions, 'CreateApi').params.Tags?.[TAG_DOMAIN], NAME)
  })

  test('without a hosted zone, DNS is left to the user', () => {
    const plain = planDeploy(desiredWith({}), { ...observed, hostedZone: undefined })
    assert.equal(byWrite(plain.actions, 'CreateRecord').length, 0)
    assert.equal(byWrite(plain.actions, 'CreateApiMapping').length, 1)
  })
})

describe('what the planner refuses, before any write', () => {
  const desired = desiredWith({ hostedZone: 'example.com' })
  const base: ObservedState = { ...empty, domains: [], certificates, hostedZone: ZONE, records: [] }

  test('no issued certificate: says what to request, and how to finish one pending validation', () => {
    const pending = certificates.filter((c) => c.status === 'PENDING_VALIDATION')
    assert.throws(
      () => planDeploy(desired, { ...base, certificates: pending }),
      (e: Error) =>
        e instanceof PlanError &&
        /no ISSUED ACM certificate in us-east-1 covers ws\.example\.com/.test(e.message) &&
        e.message.includes(`aws acm describe-certificate --certificate-arn ${pending[0]!.arn}`) &&
        e.message.includes('aws acm request-certificate --domain-name ws.example.com --validation-method DNS'),
    )
    assert.throws(
      () => planDeploy(desired, { ...base, certificates: [] }),
      (e: Error) => !/Certificates found/.test(e.message) && /--domain-name '\*\.example\.com'/.test(e.message),
    )
  })

  test('a hosted zone that is not there, or does not hold the name', () => {
    assert.throws(
      () => planDeploy(desired, { ...base, hostedZone: undefined }),
      /hosted zone example\.com .* is not in/,
    )
    assert.throws(
      () => planDeploy(desired, { ...base, hostedZone: { id: 'Z9', name: 'example.org' } }),
      /ws\.example\.com is not in hosted zone example\.org/,
    )
  })

  test('a record that points elsewhere is never overwritten', () => {
    const elsewhere = aliasRecord({ alias: undefined, values: ['192.0.2.1'], ttl: 300 })
    assert.throws(
      () => planDeploy(desired, { ...base, records: [elsewhere] }),
      /already has an A record .*192\.0\.2\.1.*never overwrites a record it did not write/,
    )
  })

  test('a domain mapped to another API is never taken from it', () => {
    const other = ourDomain(desired, {
      ours: false,
      tags: {},
      mappings: [{ id: 'm9', apiId: 'zzz999', stage: 'live', key: '' }],
    })
    assert.throws(
      () => planDeploy(desired, { ...deployedWithDomain(desired), domains: [other] }),
      /already serves API zzz999 \(stage live\).*delete-api-mapping --domain-name ws\.example\.com --api-mapping-id m9/s,
    )
  })
})

describe('a stage deployed with its domain', () => {
  const desired = desiredWith({ hostedZone: 'example.com' })

  test('an unchanged redeploy writes nothing', () => {
    const plan = planDeploy(desired, deployedWithDomain(desired))
    assert.deepEqual(
      plan.actions.map((a) => a.write),
      [],
    )
    for (const kind of [
      'domain ws.example.com',
      'api mapping ws.example.com -> abc123/prod',
      'record ws.example.com A (alias)',
    ])
      assert.ok(plan.unchanged.includes(kind), kind)
  })

  test('a renewed certificate (same ARN) changes nothing; an expired one is replaced by the best issued', () => {
    const expired = certificates.map((c) => (c.arn === CERT ? { ...c, status: 'EXPIRED' } : c))
    const plan = planDeploy(desired, { ...deployedWithDomain(desired), certificates: expired })
    const update = one(plan.actions, 'UpdateDomainName')
    assert.equal(update.params.DomainNameConfigurations?.[0]?.CertificateArn, WILDCARD)
    assert.deepEqual(update.diff, [{ field: 'certificateArn', from: CERT, to: WILDCARD }])
  })

  test('a domain someone else made is only mapped to: its certificate and tags stay as they are', () => {
    const adopted = ourDomain(desired, {
      ours: false,
      tags: { team: 'web' },
      certificateArn: 'arn:other',
      mappings: [],
    })
    const plan = planDeploy(desired, { ...deployedWithDomain(desired), domains: [adopted] })
    assert.deepEqual(
      plan.actions.map((a) => a.write),
      ['CreateApiMapping'],
    )
    assert.ok(plan.notes?.some((n) => /not made by socket-action.*never the domain name/.test(n)))
  })
})

describe('taking a domain down', () => {
  const desired = desiredWith({ hostedZone: 'example.com' })
  const withoutDomain = desiredWith()

  test('dropped from serverless.yml: the mapping and the record go before the domain name', () => {
    const plan = planDeploy(withoutDomain, deployedWithDomain(desired))
    const mapping = one(plan.actions, 'DeleteApiMapping')
    const record = one(plan.actions, 'DeleteRecord')
    const domain = one(plan.actions, 'DeleteDomainName')
    assert.deepEqual(new Set(domain.after), new Set([mapping.id, record.id]))
    assert.ok(one(plan.actions, 'UntagApi').after.includes(mapping.id))
    assert.equal(record.params.AliasTarget.DNSName, `${TARGET.dnsName}.`)
  })

  test("an adopted domain keeps its name and its record: only this stage's mapping goes", () => {
    const adopted = ourDomain(desired, { ours: false, tags: {} })
    const observed = { ...deployedWithDomain(desired), domains: [adopted] }
    const actions = planDeploy(withoutDomain, observed).actions
    // The API's domain tag goes last: it is how a run that died finds the mapping on a domain that is not ours.
    assert.deepEqual(
      actions.map((a) => a.write),
      ['DeleteApiMapping', 'UntagApi'],
    )
    assert.deepEqual(one(actions, 'UntagApi').after, [one(actions, 'DeleteApiMapping').id])
    assert.deepEqual(one(actions, 'UntagApi').params.TagKeys, ['socket-action:domain'])
    const removal = planRemove(withoutDomain, observed).actions
    assert.ok(!removal.some((a) => a.write === 'DeleteDomainName' || a.write === 'DeleteRecord'))
    assert.ok(one(removal, 'DeleteApi').after.includes(one(removal, 'DeleteApiMapping').id))
  })

  test('remove: mappings before the APIs, the record before the domain name, a record not aliasing it left', () => {
    const removal = planRemove(desired, deployedWithDomain(desired)).actions
    const mapping = one(removal, 'DeleteApiMapping')
    assert.ok(one(removal, 'DeleteApi').after.includes(mapping.id))
    assert.ok(position(removal, 'DeleteRecord') < position(removal, 'DeleteDomainName'))
    const foreignRecord = {
      ...deployedWithDomain(desired),
      records: [aliasRecord({ alias: { ...aliasRecord().alias!, dnsName: 'elsewhere.example.net.' } })],
    }
    const kept = planRemove(desired, foreignRecord).actions
    assert.equal(byWrite(kept, 'DeleteRecord').length, 0)
    assert.equal(byWrite(kept, 'DeleteDomainName').length, 1)
  })
})
