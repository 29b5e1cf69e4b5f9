import { describe, expect, it } from 'vitest';
import { allArtifactRegistryHosts, isGoogleRegistry, normalizeRegistryHost } from './hosts.js';

const plain = { registries: {} };
const withEmulator = {
  registries: {
    '127.0.0.1:5005': { google: true, insecure: true },
    'localhost:5000': { google: false, insecure: true },
  },
};

describe('normalizeRegistryHost', () => {
  it.each([
    ['us-docker.pkg.dev', 'us-docker.pkg.dev'],
    ['https://us-docker.pkg.dev/v2/', 'us-docker.pkg.dev'],
    ['us-docker.pkg.dev/my-project/repo', 'us-docker.pkg.dev'],
    ['  US-DOCKER.PKG.DEV:443 \n', 'us-docker.pkg.dev'],
    ['http://127.0.0.1:5005', '127.0.0.1:5005'],
    ['https://user@gcr.io/v2/', 'gcr.io'],
  ])('%j → %s', (input, expected) => {
    expect(normalizeRegistryHost(input)).toBe(expected);
  });
});

describe('isGoogleRegistry', () => {
  it.each([
    'us-docker.pkg.dev',
    'us-west1-docker.pkg.dev',
    'https://europe-west4-docker.pkg.dev/v2/',
    'docker.us-central1.rep.pkg.dev',
    'gcr.io',
    'eu.gcr.io',
    'marketplace.gcr.io',
    'mirror.gcr.io',
    'us-docker.pkg.dev:443',
  ])('accepts %s', (host) => {
    expect(isGoogleRegistry(host, plain)).toBe(true);
  });

  it.each([
    'docker.pkg.dev.evil.com',
    'evil-docker.pkg.dev.attacker.io',
    'us-docker.pkg.dev.attacker.io',
    'gcr.io.evil.com',
    'evilgcr.io',
    'pkg.dev',
    'docker.io',
    'ghcr.io',
    'us-docker.pkg.dev:8443',
    'localhost:5000',
    '127.0.0.1:5005',
    '',
  ])('refuses %j', (host) => {
    expect(isGoogleRegistry(host, plain)).toBe(false);
  });

  it('accepts only the hosts the config marks as Google, with their port', () => {
    expect(isGoogleRegistry('http://127.0.0.1:5005/v2/', withEmulator)).toBe(true);
    expect(isGoogleRegistry('127.0.0.1:5006', withEmulator)).toBe(false);
    expect(isGoogleRegistry('localhost:5000', withEmulator)).toBe(false);
  });
});

describe('allArtifactRegistryHosts', () => {
  it('lists the multi-regions and the regions, every one a Google registry', () => {
    const hosts = allArtifactRegistryHosts();
    expect(hosts).toContain('us-docker.pkg.dev');
    expect(hosts).toContain('europe-west1-docker.pkg.dev');
    expect(hosts.length).toBeGreaterThan(30);
    expect(hosts.every((host) => isGoogleRegistry(host, plain))).toBe(true);
  });
});
