import { createPublicKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSigningCertificate, libtrustKeyId, loadSigning } from './signing.js';

describe('createSigningCertificate', () => {
  it('makes a self-signed RSA certificate that matches its key', async () => {
    const material = await createSigningCertificate({ commonName: 'unit test signer', validDays: 2 });
    const certificate = new X509Certificate(material.certificatePem);
    expect(certificate.subject).toBe('CN=unit test signer');
    expect(certificate.issuer).toBe('CN=unit test signer');
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.ca).toBe(true);
    expect(certificate.publicKey.asymmetricKeyType).toBe('rsa');
    const validTo = new Date(certificate.validTo).getTime();
    expect(validTo).toBeGreaterThan(Date.now() + 86_400_000);
    expect(validTo).toBeLessThan(Date.now() + 3 * 86_400_000);
    const loaded = loadSigning(material);
    expect(Buffer.from(loaded.x5c, 'base64').equals(certificate.raw)).toBe(true);
  });

  it('refuses a key that does not match the certificate', async () => {
    const one = await createSigningCertificate();
    const two = await createSigningCertificate();
    expect(() =>
      loadSigning({ certificatePem: one.certificatePem, privateKeyPem: two.privateKeyPem }),
    ).toThrow(/does not match/);
  });
});

describe('libtrustKeyId', () => {
  it('is 12 colon-separated groups of 4 base32 characters', async () => {
    const { privateKeyPem } = await createSigningCertificate();
    const id = libtrustKeyId(createPublicKey(privateKeyPem));
    expect(id).toMatch(/^[A-Z2-7]{4}(:[A-Z2-7]{4}){11}$/);
  });

  it('matches an independently computed vector (sha256 of the SPKI, 30 bytes, base32, groups of 4)', () => {
    // Vector computed with Python's hashlib and base64.b32encode; the e2e test proves that the
    // registry finds keys by this id (a token with kid and no x5c is accepted).
    const publicKey = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: 'OFviqzGhmfnl377XFcRqEcnrW9ZoALYHE32xAv7Py2Q',
        y: 'DfrzBgLWzlTwbttAd1kKKrAluLbKd9UOaJGcazy-j1Y',
      },
      format: 'jwk',
    });
    expect(libtrustKeyId(publicKey)).toBe('VN2B:RDKP:L6CF:4OE2:3K2Z:BK3R:PK7F:XGNF:6DQX:UBJ5:ZWDU:BAYO');
  });
});
