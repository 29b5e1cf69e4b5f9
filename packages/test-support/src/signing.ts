import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type KeyObject,
  X509Certificate,
} from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

/** The token server's signing key and its self-signed certificate (the registry's `rootcertbundle`). */
export interface SigningMaterial {
  /** PEM of the X.509 certificate the registry trusts. */
  certificatePem: string;
  /** PEM (PKCS#8) of the RSA private key that signs the tokens. */
  privateKeyPem: string;
}

export interface SigningCertificateOptions {
  /** Subject and issuer common name. Default `ar-e2e token signer`. */
  commonName?: string;
  /** Validity in days from now (the certificate also starts one hour in the past). Default 30. */
  validDays?: number;
  /** RSA modulus length. Default 2048. */
  modulusLength?: number;
}

const generateRsaKeyPair = promisify(generateKeyPair);

/**
 * A fresh RSA key and a self-signed certificate for it. The key comes from `node:crypto`;
 * the certificate is built and signed with `node-forge`, because `node:crypto` can parse but
 * not create certificates. In-process, so unit tests need no `openssl` binary.
 */
export async function createSigningCertificate(
  options: SigningCertificateOptions = {},
): Promise<SigningMaterial> {
  const { privateKey, publicKey } = await generateRsaKeyPair('rsa', {
    modulusLength: options.modulusLength ?? 2048,
  });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(
    publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  );
  // A positive serial: 16 random bytes with the top bit cleared.
  const serial = forge.util.bytesToHex(forge.random.getBytesSync(16));
  certificate.serialNumber = `0${serial.slice(1)}`;
  const now = Date.now();
  certificate.validity.notBefore = new Date(now - 3_600_000);
  certificate.validity.notAfter = new Date(now + (options.validDays ?? 30) * 86_400_000);
  const name = [{ name: 'commonName', value: options.commonName ?? 'ar-e2e token signer' }];
  certificate.setSubject(name);
  certificate.setIssuer(name);
  certificate.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  certificate.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(certificate), privateKeyPem };
}

/** Signing material ready to use: parsed keys, the `x5c` entry and the libtrust `kid`. */
export interface LoadedSigning {
  certificatePem: string;
  certificate: X509Certificate;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Base64 (not URL-safe) DER of the certificate, as the JWS `x5c` header wants it. */
  x5c: string;
  /** Key id in the libtrust form the registry computes for keys of its `rootcertbundle`. */
  kid: string;
}

export function loadSigning(material: SigningMaterial): LoadedSigning {
  const certificate = new X509Certificate(material.certificatePem);
  const privateKey = createPrivateKey(material.privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new Error(`The signing key must be RSA (RS256), got ${privateKey.asymmetricKeyType}`);
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new Error('The signing key does not match the certificate');
  }
  const publicKey = createPublicKey(material.privateKeyPem);
  return {
    certificatePem: material.certificatePem,
    certificate,
    privateKey,
    publicKey,
    x5c: certificate.raw.toString('base64'),
    kid: libtrustKeyId(publicKey),
  };
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * The key id docker/libtrust derives from a public key: SHA-256 of the DER SubjectPublicKeyInfo,
 * first 240 bits, base32, in colon-separated groups of four (`ABCD:EFGH:...`, 12 groups).
 */
export function libtrustKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const digest = createHash('sha256').update(der).digest().subarray(0, 30);
  return base32(digest)
    .match(/.{1,4}/g)!
    .join(':');
}
