import { describe, expect, it } from 'vitest';
import { classifyRegistryHost, isGoogleRegistryHost, isKnownArLocation, suggestArLocation } from './index.js';

describe('classifyRegistryHost', () => {
  it.each([
    ['us-west1-docker.pkg.dev', 'artifact-registry', 'us-west1'],
    ['us-docker.pkg.dev', 'artifact-registry', 'us'],
    ['europe-docker.pkg.dev:443', 'artifact-registry', 'europe'],
    ['US-WEST1-DOCKER.PKG.DEV', 'artifact-registry', 'us-west1'],
    ['docker.us-central1.rep.pkg.dev', 'artifact-registry-regional', 'us-central1'],
  ] as const)('%s is %s in %s', (host, kind, location) => {
    expect(classifyRegistryHost(host)).toMatchObject({ kind, location, knownLocation: true });
  });

  it('recognises an unknown location by pattern, and says it is unknown', () => {
    expect(classifyRegistryHost('mars-north1-docker.pkg.dev')).toMatchObject({
      kind: 'artifact-registry',
      location: 'mars-north1',
      knownLocation: false,
    });
  });

  it('reports the port and the lowercase host name', () => {
    expect(classifyRegistryHost('Us-Docker.pkg.dev:5000')).toEqual({
      kind: 'artifact-registry',
      host: 'Us-Docker.pkg.dev:5000',
      hostname: 'us-docker.pkg.dev',
      port: '5000',
      location: 'us',
      knownLocation: true,
    });
  });

  it.each([
    ['gcr.io', 'us', 'gcr.io'],
    ['us.gcr.io', 'us', 'us.gcr.io'],
    ['eu.gcr.io', 'europe', 'eu.gcr.io'],
    ['asia.gcr.io', 'asia', 'asia.gcr.io'],
  ])('maps the Container Registry host %s to the %s repository %s', (host, arLocation, arRepository) => {
    expect(classifyRegistryHost(host)).toMatchObject({
      kind: 'container-registry',
      arLocation,
      arRepository,
    });
  });

  it('recognises marketplace.gcr.io without an Artifact Registry repository', () => {
    const info = classifyRegistryHost('marketplace.gcr.io');
    expect(info.kind).toBe('container-registry');
    expect(info).not.toHaveProperty('arRepository');
  });

  it.each([
    'docker.pkg.dev',
    'docker.pkg.dev.evil.com',
    'evil-docker.pkg.dev.attacker.io',
    'us-docker.pkg.dev.attacker.io',
    'us-docker.pkg.dev.',
    'us-docker-pkg.dev',
    'usdocker.pkg.dev',
    '-docker.pkg.dev',
    '1us-docker.pkg.dev',
    'us--docker.pkg.dev',
    'a.b-docker.pkg.dev',
    'us_west1-docker.pkg.dev',
    'docker..rep.pkg.dev',
    'docker.us.west1.rep.pkg.dev',
    'docker.us-west1.rep.pkg.dev.evil.com',
    'evil.docker.us-west1.rep.pkg.dev',
    'gcr.io.evil.com',
    'evilgcr.io',
    'k8s.gcr.io',
    'us-docker.pkg.dev:http',
    'us-docker.pkg.dev:123456',
    'us-docker.pkg.dev:443:443',
    'us-doc\u212Aer.pkg.dev',
    'us-docker.pkg.dev/path',
    'https://us-docker.pkg.dev',
    '[::1]:5000',
    '',
    'x'.repeat(100_000),
  ])('%s is other', (host) => {
    expect(classifyRegistryHost(host).kind).toBe('other');
  });

  it('never throws on a non-string', () => {
    expect(classifyRegistryHost(undefined as unknown as string).kind).toBe('other');
  });
});

describe('isGoogleRegistryHost', () => {
  it.each([
    'us-west1-docker.pkg.dev',
    'docker.us-central1.rep.pkg.dev',
    'gcr.io',
    'us.gcr.io',
    'mirror.gcr.io',
  ])('%s is Google', (host) => expect(isGoogleRegistryHost(host)).toBe(true));

  it.each([
    'docker.pkg.dev.evil.com',
    'us-west1-docker.pkg.dev:5000',
    'gcr.io.evil.com',
    'evilgcr.io',
    '127.0.0.1:5050',
    'registry-1.docker.io',
  ])('%s is not', (host) => expect(isGoogleRegistryHost(host)).toBe(false));
});

describe('locations', () => {
  it('knows the multi-regions and the regions', () => {
    for (const location of [
      'us',
      'europe',
      'asia',
      'us-west1',
      'europe-west10',
      'me-central2',
      'africa-south1',
    ]) {
      expect(isKnownArLocation(location)).toBe(true);
    }
    expect(isKnownArLocation('us-west-1')).toBe(false);
  });

  it.each([
    ['us-west-1', 'us-west1'],
    ['uswest1', 'us-west1'],
    ['us-centrall', 'us-central1'],
    ['europe-west-10', 'europe-west10'],
    ['eu', 'europe'],
    ['asai', 'asia'],
  ])('suggests %s → %s', (typo, suggestion) => {
    expect(suggestArLocation(typo)).toBe(suggestion);
  });

  it('suggests nothing when nothing is close', () => {
    expect(suggestArLocation('antarctica-south7')).toBeUndefined();
    expect(suggestArLocation('x'.repeat(10_000))).toBeUndefined();
  });
});
