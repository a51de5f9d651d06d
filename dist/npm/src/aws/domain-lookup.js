// Reads for a stage's custom domain, in observe's two rounds: first what is found by name (the domain names, the
// certificates that could cover serverless.yml's domain, its hosted zone), then what those lead to (each domain's API
// mappings, the alias records). No writes, and no certificate is ever requested.
import { DescribeCertificateCommand, ListCertificatesCommand } from '@aws-sdk/client-acm';
import { GetApiMappingsCommand, GetDomainNameCommand, GetDomainNamesCommand, } from '@aws-sdk/client-apigatewayv2';
import { GetHostedZoneCommand, ListHostedZonesByNameCommand, ListResourceRecordSetsCommand, } from '@aws-sdk/client-route-53';
import { isOurs, TAG_DOMAIN, TAG_HOSTED_ZONE } from "../engine/names.js";
import { certificateCovers, dnsName } from "../engine/plan-domain.js";
import { allPages, orUndefined } from "./reads.js";
/** Every key type ACM has: ListCertificates returns RSA_2048 certificates only unless told otherwise. */
const KEY_TYPES = [
    'RSA_1024',
    'RSA_2048',
    'RSA_3072',
    'RSA_4096',
    'EC_prime256v1',
    'EC_secp384r1',
    'EC_secp521r1',
];
/** A hosted zone id as Route 53 gives it (`Z…`, maybe as `/hostedzone/Z…`), not a name. */
const ZONE_ID_RE = /^(\/hostedzone\/)?Z[0-9A-Z]{1,31}$/;
const certificateNames = (c) => [...new Set([c.DomainName, ...(c.SubjectAlternativeNameSummaries ?? [])].filter((n) => !!n))].map(dnsName);
/** Certificates in the region that could cover `host` (any status), with every name of those ACM lists in part. */
async function coveringCertificates(clients, host) {
    const summaries = await allPages(async (NextToken) => {
        const page = await clients.acm.send(new ListCertificatesCommand({ NextToken, MaxItems: 1000, Includes: { keyTypes: [...KEY_TYPES] } }));
        return { items: page.CertificateSummaryList, next: page.NextToken };
    });
    const covers = (names) => names.some((n) => certificateCovers(n, host));
    const found = await Promise.all(summaries.map(async (c) => {
        let names = certificateNames(c);
        // The summary lists the first names only: a certificate with more may still cover the host.
        if (!covers(names) && c.HasAdditionalSubjectAlternativeNames) {
            const full = await orUndefined(clients.acm.send(new DescribeCertificateCommand({ CertificateArn: c.CertificateArn })));
            names = [full?.Certificate?.DomainName, ...(full?.Certificate?.SubjectAlternativeNames ?? [])]
                .filter((n) => !!n)
                .map(dnsName);
        }
        if (!covers(names) || !c.CertificateArn)
            return undefined;
        return {
            arn: c.CertificateArn,
            names,
            status: c.Status ?? 'UNKNOWN',
            ...(c.NotAfter ? { notAfter: c.NotAfter.toISOString() } : {}),
        };
    }));
    return found.filter((c) => c !== undefined);
}
const zoneIdOf = (id) => id.replace(/^\/hostedzone\//, '');
/** The hosted zone by id, or by name (a public zone before a private one of the same name); undefined if none. */
async function findHostedZone(clients, zone) {
    if (ZONE_ID_RE.test(zone)) {
        const out = await orUndefined(clients.route53.send(new GetHostedZoneCommand({ Id: zoneIdOf(zone) })));
        return out?.HostedZone?.Id && out.HostedZone.Name
            ? { id: zoneIdOf(out.HostedZone.Id), name: dnsName(out.HostedZone.Name) }
            : undefined;
    }
    const { HostedZones } = await clients.route53.send(new ListHostedZonesByNameCommand({ DNSName: zone, MaxItems: 10 }));
    const named = (HostedZones ?? []).filter((z) => z.Name && dnsName(z.Name) === dnsName(zone) && z.Id);
    const chosen = named.find((z) => !z.Config?.PrivateZone) ?? named[0];
    return chosen ? { id: zoneIdOf(chosen.Id), name: dnsName(chosen.Name) } : undefined;
}
/** The first round: every domain name (ours are found by tags), and for serverless.yml's, its certificates and zone. */
export async function readDomainsFirst(clients, target) {
    const [listed, named, certificates, hostedZone] = await Promise.all([
        allPages(async (NextToken) => {
            const page = await clients.apigw.send(new GetDomainNamesCommand({ NextToken, MaxResults: '100' }));
            return { items: page.Items, next: page.NextToken };
        }),
        // By name too: a read by name is consistent where the listing may lag behind a CreateDomainName.
        target ? orUndefined(clients.apigw.send(new GetDomainNameCommand({ DomainName: target.name }))) : undefined,
        target ? coveringCertificates(clients, target.name) : [],
        target?.hostedZone ? findHostedZone(clients, target.hostedZone) : undefined,
    ]);
    const domainNames = listed.filter((d) => d.DomainName !== target?.name);
    if (named?.DomainName) {
        const { $metadata: _metadata, ...domain } = named;
        domainNames.push({ ...domain, DomainName: named.DomainName });
    }
    return { domainNames, certificates, ...(hostedZone ? { hostedZone } : {}) };
}
/** The A records named `name` in a zone (a weighted or latency set may hold several). */
async function recordsNamed(clients, zoneId, name) {
    const out = await orUndefined(clients.route53.send(new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        StartRecordName: name,
        StartRecordType: 'A',
        MaxItems: 10,
    })));
    return (out?.ResourceRecordSets ?? [])
        .filter((r) => r.Name && dnsName(r.Name) === dnsName(name) && r.Type === 'A')
        .map((r) => ({
        zoneId,
        name: r.Name,
        type: 'A',
        ...(r.AliasTarget
            ? {
                alias: {
                    dnsName: r.AliasTarget.DNSName ?? '',
                    hostedZoneId: r.AliasTarget.HostedZoneId ?? '',
                    evaluateTargetHealth: r.AliasTarget.EvaluateTargetHealth ?? false,
                },
            }
            : {}),
        ...(r.ResourceRecords ? { values: r.ResourceRecords.map((v) => v.Value ?? '') } : {}),
        ...(r.TTL !== undefined ? { ttl: r.TTL } : {}),
        ...(r.SetIdentifier ? { setIdentifier: r.SetIdentifier } : {}),
    }));
}
/**
 * The second round: the domains that concern this stage (serverless.yml's, ours by tags, and those its APIs record
 * they are mapped to) with their mappings, and the A records of their names.
 */
export async function readDomainsSecond(clients, identity, first, target, apiTags) {
    const recorded = new Set(apiTags.map((t) => t?.[TAG_DOMAIN]).filter((n) => !!n));
    const relevant = first.domainNames.filter((d) => d.DomainName && (d.DomainName === target?.name || recorded.has(d.DomainName) || isOurs(d.Tags, identity)));
    const reads = Promise.all(relevant.map(async (d) => {
        const DomainName = d.DomainName;
        // A domain deleted between the listing and this read (another stage's remove) is simply gone.
        const mappings = await orUndefined(allPages(async (NextToken) => {
            const page = await clients.apigw.send(new GetApiMappingsCommand({ DomainName, NextToken }));
            return { items: page.Items, next: page.NextToken };
        }));
        if (!mappings)
            return undefined;
        const c = d.DomainNameConfigurations?.[0];
        const tags = d.Tags ?? {};
        return {
            name: DomainName,
            arn: d.DomainNameArn ?? '',
            tags,
            ours: isOurs(tags, identity),
            ...(c?.CertificateArn ? { certificateArn: c.CertificateArn } : {}),
            ...(c?.EndpointType ? { endpointType: c.EndpointType } : {}),
            ...(c?.SecurityPolicy ? { securityPolicy: c.SecurityPolicy } : {}),
            ...(c?.ApiGatewayDomainName && c.HostedZoneId
                ? { target: { dnsName: c.ApiGatewayDomainName, hostedZoneId: c.HostedZoneId } }
                : {}),
            ...(c?.DomainNameStatus ? { status: c.DomainNameStatus } : {}),
            mappings: mappings.map((m) => ({
                id: m.ApiMappingId ?? '',
                apiId: m.ApiId ?? '',
                stage: m.Stage ?? '',
                key: m.ApiMappingKey ?? '',
            })),
        };
    }));
    // Records, beside the mappings: serverless.yml's name in its zone; each of ours in the zone its tag records.
    const lookups = new Map();
    if (target && first.hostedZone)
        lookups.set(`${first.hostedZone.id} ${target.name}`, { zoneId: first.hostedZone.id, name: target.name });
    for (const d of relevant) {
        const zoneId = isOurs(d.Tags, identity) ? d.Tags?.[TAG_HOSTED_ZONE] : undefined;
        if (zoneId)
            lookups.set(`${zoneId} ${d.DomainName}`, { zoneId, name: d.DomainName });
    }
    const [domains, records] = await Promise.all([
        reads,
        Promise.all([...lookups.values()].map((l) => recordsNamed(clients, l.zoneId, l.name))),
    ]);
    const found = domains.filter((d) => d !== undefined);
    return {
        domains: found,
        certificates: first.certificates,
        ...(first.hostedZone ? { hostedZone: first.hostedZone } : {}),
        records: records.flat(),
    };
}
