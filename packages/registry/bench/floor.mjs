// The floor: plain curl moving the same blobs, 4 at a time, with no verification and nothing
// but the bytes (the upload session's POST aside): what the transfer itself costs on this
// machine, for the bench to divide our times by.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const CURL_LANES = 4;

/** A bearer token for `repository` from the registry's token realm (the v2 challenge dance). */
async function bearerToken(host, repository, username, password) {
  const ping = await fetch(`http://${host}/v2/`);
  await ping.body?.cancel();
  const challenge = ping.headers.get('www-authenticate') ?? '';
  const param = (name) => new RegExp(`${name}="([^"]*)"`).exec(challenge)?.[1];
  const realm = param('realm');
  if (!realm) throw new Error(`${host} sent no bearer challenge (${ping.status} ${challenge})`);
  const url = new URL(realm);
  const service = param('service');
  if (service) url.searchParams.set('service', service);
  url.searchParams.set('scope', `repository:${repository}:pull,push`);
  const response = await fetch(url, {
    headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
  });
  if (!response.ok) throw new Error(`the token realm answered ${response.status}`);
  const body = await response.json();
  return body.token ?? body.access_token;
}

/** The config and layer descriptors of the layout's one image. */
async function layoutBlobs(layout) {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
  const manifestDigest = index.manifests[0].digest;
  const manifest = JSON.parse(await readFile(blobFile(layout, manifestDigest), 'utf8'));
  return [manifest.config, ...manifest.layers];
}

const blobFile = (dir, digest) => join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length));

function curl(args) {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['--silent', '--show-error', '--fail', '--location', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`curl exited ${code}: ${stderr}`)),
    );
  });
}

async function lanes(items, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CURL_LANES }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/**
 * Times curl pushing the layout's blobs to `host/repository` and pulling them back into
 * `into` (plain files): { pushMs, pullMs }.
 */
export async function curlFloor({ host, repository, username, password, layout, into }) {
  const blobs = await layoutBlobs(layout);
  const token = await bearerToken(host, repository, username, password);
  const auth = ['--header', `Authorization: Bearer ${token}`];

  const pushStarted = performance.now();
  await lanes(blobs, async (blob) => {
    const start = await fetch(`http://${host}/v2/${repository}/blobs/uploads/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    await start.body?.cancel();
    if (start.status !== 202) throw new Error(`starting an upload answered ${start.status}`);
    const location = new URL(start.headers.get('location'), `http://${host}/`);
    location.searchParams.set('digest', blob.digest);
    // --upload-file streams the file (PUT); --data-binary would read it all into memory first.
    await curl([
      ...auth,
      '--header',
      'content-type: application/octet-stream',
      '--upload-file',
      blobFile(layout, blob.digest),
      location.href,
    ]);
  });
  const pushMs = performance.now() - pushStarted;

  const pullStarted = performance.now();
  await lanes(blobs, (blob) =>
    curl([
      ...auth,
      '--output',
      join(into, blob.digest.slice('sha256:'.length)),
      `http://${host}/v2/${repository}/blobs/${blob.digest}`,
    ]),
  );
  const pullMs = performance.now() - pullStarted;
  return { pushMs, pullMs };
}
