import { formatRestDuration, parseDuration } from './duration.js';
import { ArCleanupPolicyError } from './errors.js';
import type { CleanupCondition, CleanupPolicy } from './schema.js';

/** gcr-cleaner-style shorthands for a one-off prune, turned into the same policy language. */
export interface PruneShorthands {
  /** Keep the N newest versions of each package. */
  keepLast?: number;
  /** Delete only versions older than this (`30d`). */
  olderThan?: string;
  /** Delete only untagged versions. */
  untagged?: boolean;
  /** Delete only versions with a tag starting with one of these. */
  tagPrefixes?: readonly string[];
  /** Keep versions with a tag starting with one of these. */
  keepTagPrefixes?: readonly string[];
  /** Keep versions younger than this (`1h`): what is being pushed right now. */
  grace?: string;
}

const rest = (text: string) => formatRestDuration(parseDuration(text));

/**
 * Policies equivalent to the shorthands: one DELETE policy `prune` (its conditions ANDed; with
 * none, every version) and a KEEP policy per keep-shorthand (`keep-last`, `keep-tag-prefix`,
 * `grace`). Throws when no shorthand says anything to delete or keep.
 */
export function policiesFromShorthands(options: PruneShorthands): CleanupPolicy[] {
  if (options.untagged && (options.tagPrefixes?.length ?? 0) > 0) {
    throw new ArCleanupPolicyError(
      'AR_CLEANUP_POLICY_INVALID',
      'Untagged and tag prefixes exclude each other (an untagged version has no tag to match): give one.',
    );
  }
  const condition: CleanupCondition = {
    tagState: options.untagged ? 'UNTAGGED' : (options.tagPrefixes?.length ?? 0) > 0 ? 'TAGGED' : 'ANY',
    ...((options.tagPrefixes?.length ?? 0) > 0 ? { tagPrefixes: [...options.tagPrefixes!] } : {}),
    ...(options.olderThan === undefined ? {} : { olderThan: rest(options.olderThan) }),
  };
  const policies: CleanupPolicy[] = [];
  if (options.keepLast !== undefined) {
    if (!Number.isInteger(options.keepLast) || options.keepLast < 1) {
      throw new ArCleanupPolicyError(
        'AR_CLEANUP_POLICY_INVALID',
        `Keep-last ${options.keepLast} must be a whole number of at least 1.`,
      );
    }
    policies.push({ id: 'keep-last', action: 'KEEP', mostRecentVersions: { keepCount: options.keepLast } });
  }
  if ((options.keepTagPrefixes?.length ?? 0) > 0) {
    policies.push({
      id: 'keep-tag-prefix',
      action: 'KEEP',
      condition: { tagState: 'TAGGED', tagPrefixes: [...options.keepTagPrefixes!] },
    });
  }
  if (options.grace !== undefined) {
    policies.push({ id: 'grace', action: 'KEEP', condition: { newerThan: rest(options.grace) } });
  }
  const deleting =
    options.untagged || options.olderThan !== undefined || (options.tagPrefixes?.length ?? 0) > 0;
  if (!deleting && policies.length === 0) {
    throw new ArCleanupPolicyError(
      'AR_CLEANUP_POLICY_INVALID',
      'Nothing says what to prune: give a policy file, or at least one of keep-last, older-than, untagged, tag-prefix.',
    );
  }
  policies.push({ id: 'prune', action: 'DELETE', condition });
  return policies;
}
