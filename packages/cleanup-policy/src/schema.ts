import { z } from 'zod';
import { formatDuration, formatRestDuration, parseDuration } from './duration.js';
import { ArCleanupPolicyError } from './errors.js';

export type PolicyAction = 'DELETE' | 'KEEP';
export type TagState = 'TAGGED' | 'UNTAGGED' | 'ANY';

/** What a policy matches; every field given must hold (AND), any prefix of a list may (OR). */
export interface CleanupCondition {
  tagState?: TagState;
  tagPrefixes?: string[];
  versionNamePrefixes?: string[];
  packageNamePrefixes?: string[];
  /** REST form, whole seconds: `2592000s`. */
  olderThan?: string;
  newerThan?: string;
}

/** Keeps the `keepCount` most recent versions of each package matching the prefixes. */
export interface MostRecentVersions {
  packageNamePrefixes?: string[];
  keepCount: number;
}

/** One policy, as AR's REST `Repository.cleanupPolicies` holds it (the map's value). */
export interface CleanupPolicy {
  id: string;
  action: PolicyAction;
  condition?: CleanupCondition;
  mostRecentVersions?: MostRecentVersions;
}

/** One policy as gcloud's `set-cleanup-policies --policy=FILE` reads it (the file is an array). */
export interface PolicyFileEntry {
  name: string;
  action: { type: string };
  condition?: Record<string, unknown>;
  mostRecentVersions?: { packageNamePrefixes?: string[]; keepCount?: number };
}

/** An enum as a name in any case (gcloud's file says `Delete`, `tagged`) or its proto number. */
function protoEnum<const T extends readonly string[]>(values: T) {
  return z.union([z.string(), z.number()]).transform((value, ctx) => {
    const name = typeof value === 'number' ? values[value - 1] : value.toUpperCase();
    if (name !== undefined && (values as readonly string[]).includes(name)) return name as T[number];
    ctx.addIssue({ code: 'custom', message: `must be one of ${values.join(', ')}` });
    return z.NEVER;
  });
}

const duration = z.string().transform((value, ctx) => {
  try {
    return formatRestDuration(parseDuration(value));
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const prefixes = z.array(z.string().min(1, 'a prefix cannot be empty'));

const conditionSchema = z
  .object({
    tagState: protoEnum(['TAGGED', 'UNTAGGED', 'ANY'] as const).optional(),
    tagPrefixes: prefixes.optional(),
    versionNamePrefixes: prefixes.optional(),
    packageNamePrefixes: prefixes.optional(),
    olderThan: duration.optional(),
    newerThan: duration.optional(),
  })
  .strict()
  .refine((condition) => !(condition.tagState === 'UNTAGGED' && (condition.tagPrefixes?.length ?? 0) > 0), {
    message: 'tagPrefixes need tagState TAGGED (an untagged version has no tag to match)',
  });

const mostRecentSchema = z
  .object({
    packageNamePrefixes: prefixes.optional(),
    keepCount: z.coerce.number().int().positive(),
  })
  .strict();

const policyBody = z
  .object({
    id: z.string().min(1).optional(),
    action: protoEnum(['DELETE', 'KEEP'] as const),
    condition: conditionSchema.optional(),
    mostRecentVersions: mostRecentSchema.optional(),
  })
  .strict()
  .refine((policy) => (policy.condition === undefined) !== (policy.mostRecentVersions === undefined), {
    message: 'a policy has either a condition or mostRecentVersions, not both nor neither',
  })
  .refine((policy) => policy.mostRecentVersions === undefined || policy.action === 'KEEP', {
    message: 'mostRecentVersions is only allowed with action KEEP',
  });

/** AR's REST `cleanupPolicies`: a map of id → policy. */
const restSchema = z.record(z.string().min(1), policyBody);

const fileSchema = z.array(
  z
    .object({
      name: z.string().min(1),
      action: z.object({ type: z.string() }).strict(),
      condition: z.record(z.string(), z.unknown()).optional(),
      mostRecentVersions: z.record(z.string(), z.unknown()).optional(),
    })
    .strict(),
);

function invalid(what: string, error: z.ZodError): ArCleanupPolicyError {
  const problems = error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`);
  return new ArCleanupPolicyError(
    'AR_CLEANUP_POLICY_INVALID',
    `${what} is not valid: ${problems.join('; ')}. See https://cloud.google.com/artifact-registry/docs/repositories/cleanup-policy for the format.`,
  );
}

/** Drops empty lists and undefined fields, so equal policies serialise equally. */
function tidy<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(
      ([, field]) => field !== undefined && !(Array.isArray(field) && field.length === 0),
    ),
  ) as T;
}

function canonical(id: string, body: z.output<typeof policyBody>): CleanupPolicy {
  return {
    id,
    action: body.action,
    ...(body.condition === undefined ? {} : { condition: tidy(body.condition) }),
    ...(body.mostRecentVersions === undefined ? {} : { mostRecentVersions: tidy(body.mostRecentVersions) }),
  };
}

/**
 * Reads AR's REST `cleanupPolicies` map (what gcloud and clients send, what the API returns),
 * sorted by id. Enum names in any case or as numbers; durations normalised to `Ns`.
 */
export function policiesFromRest(map: unknown): CleanupPolicy[] {
  const parsed = restSchema.safeParse(map ?? {});
  if (!parsed.success) throw invalid('cleanupPolicies', parsed.error);
  return Object.entries(parsed.data)
    .map(([key, body]) => canonical(body.id ?? key, body))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The REST `cleanupPolicies` map for policies. */
export function policiesToRest(policies: readonly CleanupPolicy[]): Record<string, CleanupPolicy> {
  return Object.fromEntries(policies.map((policy) => [policy.id, policy]));
}

/**
 * Reads the JSON file gcloud's `set-cleanup-policies --policy=FILE` accepts (an array of
 * `{name, action: {type}, condition | mostRecentVersions}`), as gcloud checks it: names unique.
 */
export function parsePolicyFile(text: string): CleanupPolicy[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ArCleanupPolicyError(
      'AR_CLEANUP_POLICY_INVALID',
      `The policy file is not JSON (${(error as Error).message}): it must be a JSON array of policies.`,
    );
  }
  return policiesFromFile(json);
}

/** As {@link parsePolicyFile}, from parsed JSON. */
export function policiesFromFile(json: unknown): CleanupPolicy[] {
  const file = fileSchema.safeParse(json);
  if (!file.success) throw invalid('The policy file', file.error);
  const map: Record<string, unknown> = {};
  for (const entry of file.data) {
    if (entry.name in map) {
      throw new ArCleanupPolicyError(
        'AR_CLEANUP_POLICY_INVALID',
        `The policy file names "${entry.name}" twice: each policy needs its own name.`,
      );
    }
    map[entry.name] = {
      id: entry.name,
      action: entry.action.type,
      ...(entry.condition === undefined ? {} : { condition: entry.condition }),
      ...(entry.mostRecentVersions === undefined ? {} : { mostRecentVersions: entry.mostRecentVersions }),
    };
  }
  return policiesFromRest(map);
}

/** The gcloud file form of policies (`Delete`/`Keep`, `tagged`, `30d`), ready for `JSON.stringify`. */
export function policiesToFile(policies: readonly CleanupPolicy[]): PolicyFileEntry[] {
  return policies.map((policy) => {
    const condition = policy.condition;
    return {
      name: policy.id,
      action: { type: policy.action === 'DELETE' ? 'Delete' : 'Keep' },
      ...(condition === undefined
        ? {}
        : {
            condition: tidy({
              ...condition,
              tagState: condition.tagState?.toLowerCase(),
              olderThan: condition.olderThan && formatDuration(parseDuration(condition.olderThan)),
              newerThan: condition.newerThan && formatDuration(parseDuration(condition.newerThan)),
            }),
          }),
      ...(policy.mostRecentVersions === undefined ? {} : { mostRecentVersions: policy.mostRecentVersions }),
    };
  });
}
