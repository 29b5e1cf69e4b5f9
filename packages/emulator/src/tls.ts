import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';
import { KNOWN_LOCATIONS } from './names.js';

export interface TlsMaterial {
  key: string;
  cert: string;
  /** The CA certificate clients must trust. */
  caPath: string;
}

/**
 * A CA and a server certificate (127.0.0.1, ::1, localhost, every LOCATION-docker.pkg.dev), in
 * the data dir. Reused across restarts so that a client that trusted the CA keeps trusting it.
 * Keys come from node:crypto (fast); node-forge only assembles the X.509 structures, which Node
 * cannot build on its own.
 */
export async function tlsMaterial(dataDir: string, host: string): Promise<TlsMaterial> {
  const caPath = join(dataDir, 'ca.pem');
  const certPath = join(dataDir, 'server.pem');
  const keyPath = join(dataDir, 'server-key.pem');
  try {
    const [key, cert] = await Promise.all([
      readFile(keyPath, 'utf8'),
      readFile(certPath, 'utf8'),
      readFile(caPath),
    ]);
    return { key, cert, caPath };
  } catch {
    // First start (or a partial set): make a new CA and certificate.
  }
  const pki = forge.pki;
  const keyPair = () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return {
      privateKey: pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
      publicKey: pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    };
  };
  const now = new Date();
  const validity = (cert: forge.pki.Certificate) => {
    cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
    cert.validity.notBefore = new Date(now.getTime() - 60_000);
    cert.validity.notAfter = new Date(now.getTime() + 10 * 365 * 24 * 3600_000);
  };
  const caKeys = keyPair();
  const ca = pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  validity(ca);
  const caName = [{ name: 'commonName', value: 'gar-emulator local CA' }];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const serverKeys = keyPair();
  const cert = pki.createCertificate();
  cert.publicKey = serverKeys.publicKey;
  validity(cert);
  cert.setSubject([{ name: 'commonName', value: 'gar-emulator' }]);
  cert.setIssuer(caName);
  const ips = new Set(['127.0.0.1', '::1']);
  if (/^[\d.]+$|:/.test(host)) ips.add(host);
  const altNames: Array<{ type: number; value?: string; ip?: string }> = [
    { type: 2, value: 'localhost' },
    ...KNOWN_LOCATIONS.map((location) => ({ type: 2, value: `${location}-docker.pkg.dev` })),
    ...[...ips].map((ip) => ({ type: 7, ip })),
  ];
  if (!ips.has(host) && host !== 'localhost') altNames.push({ type: 2, value: host });
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
  ]);
  cert.sign(caKeys.privateKey, forge.md.sha256.create());
  const material = {
    key: pki.privateKeyToPem(serverKeys.privateKey),
    cert: pki.certificateToPem(cert),
    caPath,
  };
  await writeFile(keyPath, material.key, { mode: 0o600 });
  await writeFile(certPath, material.cert);
  await writeFile(caPath, pki.certificateToPem(ca));
  return material;
}
