/**
 * Artifact Registry locations, as data. Source: the Docker hosts `gcloud auth configure-docker`
 * registers (2026), which is Google's own list of `LOCATION-docker.pkg.dev` and
 * `docker.LOCATION.rep.pkg.dev` hosts; `gcloud artifacts locations list` shows the live list.
 * Hosts are recognised by pattern, so a location missing here still parses, with a warning:
 * update this file when Google opens a region.
 */

/** Multi-region locations: `us-docker.pkg.dev` and so on. */
export const AR_MULTI_REGIONS: readonly string[] = Object.freeze(['asia', 'europe', 'us']);

/** Regional locations, each with a `LOCATION-docker.pkg.dev` host. */
export const AR_REGIONS: readonly string[] = Object.freeze([
  'africa-south1',
  'asia-east1',
  'asia-east2',
  'asia-northeast1',
  'asia-northeast2',
  'asia-northeast3',
  'asia-south1',
  'asia-south2',
  'asia-southeast1',
  'asia-southeast2',
  'asia-southeast3',
  'australia-southeast1',
  'australia-southeast2',
  'europe-central2',
  'europe-north1',
  'europe-north2',
  'europe-southwest1',
  'europe-west1',
  'europe-west2',
  'europe-west3',
  'europe-west4',
  'europe-west6',
  'europe-west8',
  'europe-west9',
  'europe-west10',
  'europe-west12',
  'me-central1',
  'me-central2',
  'me-west1',
  'northamerica-northeast1',
  'northamerica-northeast2',
  'northamerica-south1',
  'southamerica-east1',
  'southamerica-west1',
  'us-central1',
  'us-central2',
  'us-east1',
  'us-east4',
  'us-east5',
  'us-east7',
  'us-south1',
  'us-west1',
  'us-west2',
  'us-west3',
  'us-west4',
  'us-west8',
]);

/** Regions that also have a regional endpoint, `docker.LOCATION.rep.pkg.dev`. */
export const AR_REGIONAL_ENDPOINT_LOCATIONS: readonly string[] = Object.freeze([
  'africa-south1',
  'asia-east1',
  'asia-east2',
  'asia-northeast1',
  'asia-northeast2',
  'asia-northeast3',
  'asia-south1',
  'asia-south2',
  'asia-southeast1',
  'asia-southeast2',
  'australia-southeast1',
  'australia-southeast2',
  'europe-central2',
  'europe-north1',
  'europe-southwest1',
  'europe-west1',
  'europe-west2',
  'europe-west3',
  'europe-west4',
  'europe-west6',
  'europe-west8',
  'europe-west9',
  'europe-west10',
  'europe-west12',
  'me-central1',
  'me-central2',
  'me-west1',
  'northamerica-northeast1',
  'northamerica-northeast2',
  'southamerica-east1',
  'southamerica-west1',
  'us-central1',
  'us-central2',
  'us-east1',
  'us-east4',
  'us-east5',
  'us-east7',
  'us-south1',
  'us-west1',
  'us-west2',
  'us-west3',
  'us-west4',
]);

/**
 * Container Registry hosts. Each of the first four is served by an Artifact Registry repository
 * named after the host, in the multi-region given; Marketplace images belong to no user project.
 */
export const CONTAINER_REGISTRY_HOSTS: readonly ContainerRegistryHost[] = Object.freeze([
  { host: 'gcr.io', location: 'us', repository: 'gcr.io' },
  { host: 'us.gcr.io', location: 'us', repository: 'us.gcr.io' },
  { host: 'eu.gcr.io', location: 'europe', repository: 'eu.gcr.io' },
  { host: 'asia.gcr.io', location: 'asia', repository: 'asia.gcr.io' },
  { host: 'marketplace.gcr.io' },
]);

export interface ContainerRegistryHost {
  readonly host: string;
  /** The Artifact Registry location and repository that serve this host; absent for Marketplace. */
  readonly location?: string;
  readonly repository?: string;
}

/** Names people write for a location that is spelt otherwise, and what they mean. */
export const AR_LOCATION_ALIASES: ReadonlyMap<string, string> = new Map([['eu', 'europe']]);
