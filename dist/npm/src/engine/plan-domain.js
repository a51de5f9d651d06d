import { TAG_HOSTED_ZONE } from "./names.js";
import { PlanError } from "./plan-error.js";
import { Ref } from "./refs.js";
/** A DNS name as Route 53 and ACM may write it (trailing dot, any case), for comparison. */
export const dnsName = (name) => name.toLowerCase().replace(/\.$/, '');
/** Whether a certificate name (`ws.example.com`, `*.example.com`) covers `host`: a wildcard covers one label. */
export function certificateCovers(certName, host) {
    const name = dnsName(certName);
    const target = dnsName(host);
    if (name === target)
        return true;
    return name.startsWith('*.') && target.slice(target.indexOf('.') + 1) === name.slice(2) && target.indexOf('.') > 0;
}
/**
 * The ISSUED certificate for `host`: one naming it exactly before a wildcard, then the one valid longest, then by ARN
 * (every run picks the same). Undefined when none is issued.
 */
export function pickCertificate(host, certificates) {
    const exact = (c) => (c.names.some((n) => dnsName(n) === dnsName(host)) ? 0 : 1);
    return certificates
        .filter((c) => c.status === 'ISSUED' && c.names.some((n) => certificateCovers(n, host)))
        .sort((a, b) => exact(a) - exact(b) || (b.notAfter ?? '').localeCompare(a.notAfter ?? '') || a.arn.localeCompare(b.arn))[0];
}
/** What to do when no certificate is issued for the domain: socket-action never requests or validates one. */
function noCertificate(desired, domain, found) {
    const { region } = desired;
    const covering = found.filter((c) => c.names.some((n) => certificateCovers(n, domain.name)));
    const parent = domain.name.slice(domain.name.indexOf('.') + 1);
    const lines = covering.map((c) => `  ${c.arn} (${c.names.join(', ')}) is ${c.status}${c.status === 'PENDING_VALIDATION'
        ? `: add the CNAME record it asks for (aws acm describe-certificate --certificate-arn ${c.arn} --region ${region} shows it) and deploy again once it is ISSUED`
        : ''}`);
    return new PlanError([
        `no ISSUED ACM certificate in ${region} covers ${domain.name}, so API Gateway cannot serve it.`,
        ...(lines.length ? ['Certificates found for it:', ...lines] : []),
        `Request one (socket-action does not: proving you own the name takes a DNS record or an email only you control): ` +
            `aws acm request-certificate --domain-name ${domain.name} --validation-method DNS --region ${region}` +
            ` (or --domain-name '*.${parent}' for every stage's name under ${parent}), add the CNAME it asks for, and deploy again once it is ISSUED. ` +
            `A regional API needs the certificate in its own region (${region}).`,
    ].join('\n'));
}
/** The alias record of `name` (A) in a zone, among those observed. */
const recordOf = (records, zoneId, name) => records.find((r) => r.zoneId === zoneId && dnsName(r.name) === dnsName(name) && r.type === 'A');
const aliases = (record, target) => !!record.alias && !!target && dnsName(record.alias.dnsName) === dnsName(target.dnsName);
function describeRecord(record) {
    if (record.alias)
        return `an alias to ${dnsName(record.alias.dnsName)}`;
    return `${record.values?.join(', ') || 'no values'}${record.setIdentifier ? ` (set ${record.setIdentifier})` : ''}`;
}
/** Writes that take a domain name away: its mappings to this stage's APIs, and, for one of ours, its record and itself. */
function planTakeDown(b, domain, records, ownApiIds) {
    const mappings = domain.mappings
        .filter((m) => ownApiIds.has(m.apiId))
        .map((m) => b.add('DeleteApiMapping', {
        id: `api-mapping:delete:${domain.name}:${m.id}`,
        name: `${domain.name} -> ${m.apiId}/${m.stage}`,
        params: { DomainName: domain.name, ApiMappingId: m.id },
    }));
    if (!domain.ours)
        return mappings;
    const zoneId = domain.tags[TAG_HOSTED_ZONE];
    const record = zoneId ? recordOf(records, zoneId, domain.name) : undefined;
    // Only a record that aliases this domain is ours to delete: anything else in the zone is someone else's.
    const recordDelete = record?.alias && aliases(record, domain.target)
        ? b.add('DeleteRecord', {
            id: `dns-record:delete:${domain.name}`,
            name: `${domain.name} A (alias)`,
            params: {
                HostedZoneId: record.zoneId,
                Name: record.name,
                Type: 'A',
                AliasTarget: {
                    DNSName: record.alias.dnsName,
                    HostedZoneId: record.alias.hostedZoneId,
                    EvaluateTargetHealth: record.alias.evaluateTargetHealth,
                },
            },
        })
        : undefined;
    // API Gateway refuses to delete a domain name that still has mappings; the record goes first, so DNS never points
    // at a name API Gateway no longer serves.
    return [
        ...mappings,
        b.add('DeleteDomainName', {
            id: `domain:delete:${domain.name}`,
            name: domain.name,
            after: [...mappings, recordDelete],
            params: { DomainName: domain.name },
        }),
    ];
}
/**
 * Plans the domain serverless.yml names (if any) and takes down those it no longer names. Returns the writes that the
 * stage's APIs must wait for before they go (mappings removed).
 */
export function planDomain(b, desired, observed, ctx) {
    const want = desired.domain;
    const domains = observed.domains ?? [];
    const records = observed.records ?? [];
    const takeDowns = domains
        .filter((d) => d.name !== want?.name)
        .flatMap((d) => planTakeDown(b, d, records, ctx.ownApiIds));
    if (!want)
        return { mappingWrites: takeDowns };
    const existing = domains.find((d) => d.name === want.name);
    const zone = want.hostedZone === undefined ? undefined : observed.hostedZone;
    if (want.hostedZone !== undefined) {
        if (!zone)
            throw new PlanError(`hosted zone ${want.hostedZone} (serverless.yml's domain.hostedZone) is not in this account's Route 53: create it, fix the name, or leave hostedZone out and point ${want.name} at the domain yourself`);
        const zoneName = dnsName(zone.name);
        if (want.name !== zoneName && !want.name.endsWith(`.${zoneName}`))
            throw new PlanError(`${want.name} is not in hosted zone ${zoneName} (${zone.id}): name a zone the domain is in, or leave hostedZone out`);
    }
    const tags = { ...desired.tags, ...(zone ? { [TAG_HOSTED_ZONE]: zone.id } : {}) };
    const configuration = (CertificateArn) => ({
        CertificateArn,
        EndpointType: want.endpointType,
        SecurityPolicy: want.securityPolicy,
    });
    let domainCreate;
    if (!existing) {
        const certificate = pickCertificate(want.name, observed.certificates ?? []);
        if (!certificate)
            throw noCertificate(desired, want, observed.certificates ?? []);
        domainCreate = b.add('CreateDomainName', {
            name: want.name,
            params: { DomainName: want.name, DomainNameConfigurations: [configuration(certificate.arn)], Tags: tags },
        });
    }
    else if (existing.ours) {
        // The certificate stays while it is issued and covers the name (a renewal keeps its ARN); otherwise the best one.
        const current = (observed.certificates ?? []).find((c) => c.arn === existing.certificateArn);
        const keep = current?.status === 'ISSUED' && current.names.some((n) => certificateCovers(n, want.name));
        const certificate = keep ? current : pickCertificate(want.name, observed.certificates ?? []);
        if (!certificate)
            throw noCertificate(desired, want, observed.certificates ?? []);
        const diff = [
            ...(certificate.arn !== existing.certificateArn
                ? [{ field: 'certificateArn', from: existing.certificateArn, to: certificate.arn }]
                : []),
            ...(existing.securityPolicy !== want.securityPolicy
                ? [{ field: 'securityPolicy', from: existing.securityPolicy, to: want.securityPolicy }]
                : []),
            ...(existing.endpointType !== want.endpointType
                ? [{ field: 'endpointType', from: existing.endpointType, to: want.endpointType }]
                : []),
        ];
        if (diff.length)
            b.add('UpdateDomainName', {
                name: want.name,
                diff,
                params: { DomainName: want.name, DomainNameConfigurations: [configuration(certificate.arn)] },
            });
        const tagged = b.tag('TagDomainName', existing.tags, tags, {
            name: want.name,
            params: { ResourceArn: existing.arn, Tags: tags },
        });
        if (!diff.length && !tagged)
            b.unchanged.push(`domain ${want.name}`);
    }
    // ---- the mapping: the root of the domain serves this stage ----
    const mapping = existing?.mappings.find((m) => m.key === want.mappingKey);
    const mappingWrites = [...takeDowns];
    if (!mapping) {
        if (existing && !existing.ours)
            ctx.notes.push(`domain ${want.name} was not made by socket-action: it is mapped to this stage and otherwise left as it is (its certificate is yours to renew); remove deletes the mapping, never the domain name`);
        mappingWrites.push(b.add('CreateApiMapping', {
            name: `${want.name} -> ${desired.names.stageName}`,
            after: [domainCreate, ...ctx.mappingAfter],
            params: {
                DomainName: want.name,
                ApiId: ctx.apiId,
                Stage: desired.names.stageName,
                ApiMappingKey: want.mappingKey,
            },
        }));
    }
    else if (mapping.apiId === ctx.apiId && mapping.stage === desired.names.stageName) {
        b.unchanged.push(`api mapping ${want.name} -> ${mapping.apiId}/${mapping.stage}`);
    }
    else if (ctx.ownApiIds.has(mapping.apiId)) {
        // An API of this stage's that lost a race (or one created anew): the mapping moves to the one kept.
        mappingWrites.push(b.add('UpdateApiMapping', {
            name: `${want.name} -> ${desired.names.stageName}`,
            diff: [
                { field: 'api', from: `${mapping.apiId}/${mapping.stage}`, to: `${ctx.apiId}/${desired.names.stageName}` },
            ],
            after: ctx.mappingAfter,
            params: {
                DomainName: want.name,
                ApiMappingId: mapping.id,
                ApiId: ctx.apiId,
                Stage: desired.names.stageName,
                ApiMappingKey: want.mappingKey,
            },
        }));
    }
    else {
        throw new PlanError(`domain ${want.name} already serves API ${mapping.apiId} (stage ${mapping.stage}), which is not this stage's: socket-action never takes a domain from another API. ` +
            `Choose another domain (a "{stage}" in it gives each stage its own), or delete that mapping yourself: aws apigatewayv2 delete-api-mapping --domain-name ${want.name} --api-mapping-id ${mapping.id} --region ${desired.region}`);
    }
    // ---- the alias record, in the zone serverless.yml names ----
    if (zone) {
        const record = recordOf(records, zone.id, want.name);
        const target = existing?.target;
        if (!record) {
            b.add('CreateRecord', {
                id: 'dns-record:create',
                name: `${want.name} A (alias)`,
                after: [domainCreate],
                params: {
                    HostedZoneId: zone.id,
                    Name: want.name,
                    Type: 'A',
                    AliasTarget: {
                        DNSName: target?.dnsName ?? new Ref('domainTarget'),
                        HostedZoneId: target?.hostedZoneId ?? new Ref('domainZoneId'),
                        EvaluateTargetHealth: false,
                    },
                },
            });
        }
        else if (aliases(record, target)) {
            b.unchanged.push(`record ${want.name} A (alias)`);
        }
        else {
            throw new PlanError(`${want.name} already has an A record in hosted zone ${dnsName(zone.name)} (${describeRecord(record)}), which does not point at this stage's domain name${target ? ` (${target.dnsName})` : ''}: socket-action never overwrites a record it did not write. ` +
                `Delete that record, or leave hostedZone out and point ${want.name} yourself`);
        }
    }
    return { mappingWrites };
}
/** Remove: every domain of this stage's taken down, mappings to its APIs first (the APIs wait for them). */
export function planDomainRemoval(b, observed) {
    const ownApiIds = new Set(observed.apis.map((a) => a.id));
    return (observed.domains ?? []).flatMap((d) => planTakeDown(b, d, observed.records ?? [], ownApiIds));
}
