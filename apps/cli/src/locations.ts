import { classifyRegistryHost, isKnownArLocation, suggestArLocation } from '@ar/image-ref';

/**
 * A warning for a location Artifact Registry does not have (a typo such as "us-west-1"), with the
 * nearest known one; undefined for a known location. gcloud warns the same way and goes on.
 */
export function unknownLocationWarning(location: string): string | undefined {
  if (isKnownArLocation(location)) return undefined;
  const suggestion = suggestArLocation(location);
  return `"${location}" is not a known Artifact Registry location${suggestion ? `; did you mean "${suggestion}"?` : ''} (see \`gcloud artifacts locations list\`)`;
}

/** The warning for a registry host whose location is unknown (`us-west-1-docker.pkg.dev`). */
export function unknownHostWarning(host: string): string | undefined {
  const info = classifyRegistryHost(host);
  if (info.kind !== 'artifact-registry' && info.kind !== 'artifact-registry-regional') return undefined;
  const warning = unknownLocationWarning(info.location);
  return warning && `${host}: ${warning}`;
}
