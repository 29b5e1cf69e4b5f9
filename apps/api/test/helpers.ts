// Test helpers (for src/*.test.ts and test/e2e): a stand-in for Google's ID-token
// certificate endpoint, and ID tokens signed as Google signs them (RS256, `kid`, PEM certs by kid).
import { createHash, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSigningCertificate, type SigningMaterial } from '@ar/test-support';

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

export interface IdTokenIssuer {
  /** The URL to give `idTokenCertsUrl`. */
  certsUrl: string;
  /** How many times the certificates were fetched. */
  fetches(): number;
  sign(claims: Record<string, unknown>, options?: { key?: SigningMaterial; kid?: string }): string;
  /** A key Google never published: tokens it signs must be refused. */
  foreignKey: SigningMaterial;
  close(): Promise<void>;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export async function startIdTokenIssuer(): Promise<IdTokenIssuer> {
  const [key, foreignKey] = await Promise.all([createSigningCertificate(), createSigningCertificate()]);
  let fetches = 0;
  const server: Server = createServer((request, response) => {
    fetches++;
    if (request.url !== '/oauth2/v1/certs') {
      response.writeHead(404).end();
      return;
    }
    // As Google: a JSON map of key ID to PEM certificate, cacheable for a while.
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600' });
    response.end(JSON.stringify({ 'test-key-1': key.certificatePem }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    certsUrl: `http://127.0.0.1:${port}/oauth2/v1/certs`,
    fetches: () => fetches,
    foreignKey,
    sign(claims, options = {}) {
      const header = { alg: 'RS256', typ: 'JWT', kid: options.kid ?? 'test-key-1' };
      const now = Math.floor(Date.now() / 1000);
      const payload = { iss: 'https://accounts.google.com', iat: now, exp: now + 3600, ...claims };
      const input = `${b64(header)}.${b64(payload)}`;
      const signature = sign('RSA-SHA256', Buffer.from(input), (options.key ?? key).privateKeyPem);
      return `${input}.${signature.toString('base64url')}`;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A loopback server that must never be contacted: it counts whoever does. */
export async function startTrap(): Promise<{ host: string; hits(): number; close(): Promise<void> }> {
  let hits = 0;
  const server = createServer((_request, response) => {
    hits++;
    response.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
