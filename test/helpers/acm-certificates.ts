// Certificates in moto's ACM for custom-domain tests: an RSA_2048 one as ACM issues it (RequestCertificate, type
// AMAZON_ISSUED), or one of another key type imported from a self-signed certificate that openssl makes; its status
// is what the test asks for (the shim answers it: moto's requested certificates are PENDING_VALIDATION for 60 s).
// The RequestCertificate/ImportCertificate call is in the shim's call log as a write: clear the log after setup.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ACMClient, ImportCertificateCommand, RequestCertificateCommand } from '@aws-sdk/client-acm'
import type { CertificateStatus, Shim } from './aws-shim.ts'

export type KeyAlgorithm = 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'EC_prime256v1' | 'EC_secp384r1'

export interface CertificateOptions {
  /** The certificate's region (default us-east-1). */
  region?: string
  /** Its names besides domainName (domainName is always one). */
  sans?: string[]
  /** Default ISSUED. */
  status?: CertificateStatus
  /** Default RSA_2048 (requested); any other is imported. */
  keyAlgorithm?: KeyAlgorithm
}

const OPENSSL_KEYS: Record<Exclude<KeyAlgorithm, 'RSA_2048'>, string[]> = {
  RSA_3072: ['-newkey', 'rsa:3072'],
  RSA_4096: ['-newkey', 'rsa:4096'],
  EC_prime256v1: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'],
  EC_secp384r1: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp384r1'],
}

/** Puts a certificate for `domainName` in moto's ACM (through the shim) and returns its ARN. */
export async function issueCertificate(
  shim: Shim,
  domainName: string,
  options: CertificateOptions = {},
): Promise<string> {
  const acm = new ACMClient({
    endpoint: shim.endpoint,
    region: options.region ?? 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  })
  const names = [domainName, ...(options.sans ?? []).filter((name) => name !== domainName)]
  try {
    const algorithm = options.keyAlgorithm ?? 'RSA_2048'
    let arn: string
    if (algorithm === 'RSA_2048') {
      const requested = await acm.send(
        new RequestCertificateCommand({
          DomainName: domainName,
          SubjectAlternativeNames: names,
          ValidationMethod: 'DNS',
        }),
      )
      arn = requested.CertificateArn ?? ''
    } else {
      const { certificate, privateKey } = selfSigned(names, OPENSSL_KEYS[algorithm])
      const imported = await acm.send(
        new ImportCertificateCommand({ Certificate: certificate, PrivateKey: privateKey }),
      )
      arn = imported.CertificateArn ?? ''
    }
    shim.setCertificateStatus(arn, options.status ?? 'ISSUED')
    return arn
  } finally {
    acm.destroy()
  }
}

function selfSigned(names: string[], keyArgs: string[]): { certificate: Buffer; privateKey: Buffer } {
  const dir = mkdtempSync(path.join(tmpdir(), 'socket-action-cert-'))
  try {
    const keyFile = path.join(dir, 'key.pem')
    const certFile = path.join(dir, 'cert.pem')
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        ...keyArgs,
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '30',
        '-subj',
        `/CN=${names[0]}`,
        '-addext',
        `subjectAltName=${names.map((name) => `DNS:${name}`).join(',')}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    )
    return { certificate: readFileSync(certFile), privateKey: readFileSync(keyFile) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
