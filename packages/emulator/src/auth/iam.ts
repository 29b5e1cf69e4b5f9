import type { Binding } from '../store/metadata.js';
import { federatedMemberMatches } from './workload-identity.js';

/** Permissions the emulator checks, named as Google names them. */
export const PERMISSIONS = {
  download: 'artifactregistry.repositories.downloadArtifacts',
  upload: 'artifactregistry.repositories.uploadArtifacts',
  delete: 'artifactregistry.repositories.deleteArtifacts',
  tagsDelete: 'artifactregistry.tags.delete',
  repoGet: 'artifactregistry.repositories.get',
  repoList: 'artifactregistry.repositories.list',
  repoCreate: 'artifactregistry.repositories.create',
  repoUpdate: 'artifactregistry.repositories.update',
  repoDelete: 'artifactregistry.repositories.delete',
  getIamPolicy: 'artifactregistry.repositories.getIamPolicy',
  setIamPolicy: 'artifactregistry.repositories.setIamPolicy',
  imagesList: 'artifactregistry.dockerimages.list',
  imagesGet: 'artifactregistry.dockerimages.get',
  tagsList: 'artifactregistry.tags.list',
  tagsGet: 'artifactregistry.tags.get',
  tagsCreate: 'artifactregistry.tags.create',
  tagsUpdate: 'artifactregistry.tags.update',
  packagesList: 'artifactregistry.packages.list',
  packagesGet: 'artifactregistry.packages.get',
  packagesDelete: 'artifactregistry.packages.delete',
  versionsList: 'artifactregistry.versions.list',
  versionsGet: 'artifactregistry.versions.get',
  versionsDelete: 'artifactregistry.versions.delete',
  locationsList: 'artifactregistry.locations.list',
  getAccessToken: 'iam.serviceAccounts.getAccessToken',
} as const;

const P = PERMISSIONS;
const READER: string[] = [
  P.download,
  P.repoGet,
  P.repoList,
  P.imagesList,
  P.imagesGet,
  P.tagsList,
  P.tagsGet,
  P.packagesList,
  P.packagesGet,
  P.versionsList,
  P.versionsGet,
  P.locationsList,
];
const WRITER = [...READER, P.upload, P.tagsCreate, P.tagsUpdate];
const REPO_ADMIN = [...WRITER, P.delete, P.tagsDelete, P.packagesDelete, P.versionsDelete];
const ADMIN = [...REPO_ADMIN, P.repoCreate, P.repoUpdate, P.repoDelete, P.getIamPolicy, P.setIamPolicy];

/** The predefined roles the emulator knows, and what each grants. */
export const ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  'roles/artifactregistry.reader': READER,
  'roles/artifactregistry.writer': WRITER,
  'roles/artifactregistry.repoAdmin': REPO_ADMIN,
  'roles/artifactregistry.admin': ADMIN,
  'roles/viewer': READER,
  'roles/editor': REPO_ADMIN.concat(P.repoCreate, P.repoUpdate, P.repoDelete),
  'roles/owner': ADMIN,
  'roles/iam.serviceAccountTokenCreator': [P.getAccessToken],
  // What lets a federated identity impersonate a service account.
  'roles/iam.workloadIdentityUser': [P.getAccessToken],
};

/** The role to name in a denial: the least one that grants the permission. */
export function roleFor(permission: string): string {
  for (const role of [
    'roles/artifactregistry.reader',
    'roles/artifactregistry.writer',
    'roles/artifactregistry.repoAdmin',
    'roles/artifactregistry.admin',
    'roles/iam.serviceAccountTokenCreator',
  ]) {
    if (ROLE_PERMISSIONS[role]?.includes(permission)) return role;
  }
  return 'roles/owner';
}

/** `allUsers` is anyone, signed in or not; `allAuthenticatedUsers` anyone signed in. */
export function memberMatches(member: string, principal: string): boolean {
  if (member === principal) return true;
  if (member === 'allUsers') return true;
  if (member === 'allAuthenticatedUsers') return principal !== 'allUsers';
  return federatedMemberMatches(member, principal);
}

export function grants(bindings: readonly Binding[], principal: string, permission: string): boolean {
  return bindings.some(
    (binding) =>
      ROLE_PERMISSIONS[binding.role]?.includes(permission) === true &&
      binding.members.some((member) => memberMatches(member, principal)),
  );
}

const POOL = '//iam\\.googleapis\\.com/projects/\\d+/locations/global/workloadIdentityPools/[a-z0-9-]+';
const MEMBER = new RegExp(
  `^(user|serviceAccount|group|domain):[^\\s]+$|^allUsers$|^allAuthenticatedUsers$|^principal:${POOL}/subject/[^\\s]+$|^principalSet:${POOL}/\\*$`,
);

/** A problem with one policy member, or undefined when it is well formed. */
export function memberProblem(member: string): string | undefined {
  return MEMBER.test(member)
    ? undefined
    : `"${member}" is not a policy member: use user:EMAIL, serviceAccount:EMAIL, allUsers, allAuthenticatedUsers, principal://iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/subject/SUBJECT or principalSet://…/workloadIdentityPools/POOL/*`;
}
