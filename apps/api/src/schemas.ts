import { z } from 'zod';

/**
 * The one definition of every request and response: Fastify validates with these (through
 * fastify-type-provider-zod) and /openapi.json is generated from them, so the two cannot drift.
 */

const reference = z
  .string()
  .min(1)
  .max(1024)
  .describe(
    'A full image reference: HOST/PATH[:TAG][@DIGEST], e.g. us-west1-docker.pkg.dev/my-project/releases/app:1.2',
  );

export const errorBody = z
  .object({
    error: z.object({
      code: z.string().describe('Stable code (AR_<AREA>_<REASON>); match on it, never on the message.'),
      message: z.string().describe('What happened and what to do.'),
      requestId: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .describe('Every error answer.');

export const errorResponses = {
  400: errorBody,
  401: errorBody,
  403: errorBody,
  404: errorBody,
  409: errorBody,
  429: errorBody,
  500: errorBody,
  502: errorBody,
  503: errorBody,
};

const upstreamPolicy = z.object({
  id: z.string().optional(),
  repository: z.string(),
  priority: z.number(),
});

export const repository = z
  .looseObject({
    name: z.string().describe('projects/P/locations/L/repositories/R'),
    format: z.string(),
    mode: z.enum(['STANDARD_REPOSITORY', 'REMOTE_REPOSITORY', 'VIRTUAL_REPOSITORY']).optional(),
    description: z.string().optional(),
    createTime: z.string().optional(),
    updateTime: z.string().optional(),
    sizeBytes: z.string().optional(),
    dockerConfig: z.object({ immutableTags: z.boolean().optional() }).optional(),
    virtualRepositoryConfig: z.object({ upstreamPolicies: z.array(upstreamPolicy).optional() }).optional(),
  })
  .describe('A repository as the Artifact Registry API describes it; upstreams ordered by priority.');

export const repositoryList = z.object({ repositories: z.array(repository) });

export const listRepositoriesQuery = z.object({
  project: z.string().min(1).max(100),
  location: z.string().min(1).max(63),
});

export const repositoryParams = z.object({
  location: z.string().min(1).max(63),
  project: z.string().min(1).max(100),
  repository: z.string().min(1).max(63),
});

export const listImagesQuery = z.object({
  repository: z
    .string()
    .min(1)
    .max(1024)
    .describe('LOCATION-docker.pkg.dev/PROJECT/REPOSITORY, or …/IMAGE for the versions of one image.'),
  includeTags: z.stringbool().default(false).describe('Add the TAGS column.'),
  pageSize: z.coerce.number().int().min(1).max(1000).default(100),
  pageToken: z.string().max(200).optional().describe('nextPageToken of the previous page.'),
});

export const imageSummary = z.object({
  image: z.string(),
  digest: z.string(),
  tags: z.array(z.string()).optional(),
  createTime: z.string().optional(),
  updateTime: z.string().optional(),
  sizeBytes: z.number().optional(),
  mediaType: z.string().optional(),
});

export const imageList = z.object({
  images: z.array(imageSummary),
  nextPageToken: z.string().optional(),
});

export const refQuery = z.object({ ref: reference });

export const resolveQuery = refQuery.extend({
  fresh: z
    .stringbool()
    .default(false)
    .describe('Ask upstream again instead of answering from the cache (as Cache-Control: no-cache).'),
});

export const resolution = z.object({
  reference: z.string(),
  digest: z.string(),
  mediaType: z.string(),
  platforms: z
    .array(z.string())
    .describe('os/arch[/variant] of each image of an index; empty for one image.'),
  sizeBytes: z.number(),
  tags: z.array(z.string()),
  mode: z.string().describe('The repository mode.'),
  servedBy: z.string().describe('The repository that serves the image (for a virtual one, the upstream).'),
  reason: z.string(),
  upstreams: z.array(
    z.object({
      id: z.string().optional(),
      repository: z.string(),
      priority: z.number(),
      holds: z.boolean(),
    }),
  ),
});

export const copyBody = z.strictObject({
  source: reference,
  destination: reference,
  allTags: z.boolean().optional().describe('Copy every tag of the source repository to the same tags.'),
  platforms: z
    .array(z.string().regex(/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/, 'must be os/arch[/variant]'))
    .min(1)
    .max(32)
    .optional()
    .describe('Keep only these platforms of an index (a new index digest); default all, byte for byte.'),
  recursive: z
    .boolean()
    .optional()
    .describe(
      'source and destination are repository prefixes (HOST/PATH): every image under source goes to the same path under destination; images already there are skipped.',
    ),
  includeUntagged: z
    .boolean()
    .optional()
    .describe(
      'With recursive: untagged versions too, where the source lists them (Artifact Registry, gcr.io).',
    ),
});

export const copyResult = z.object({
  images: z.array(
    z.object({
      digest: z.string(),
      mediaType: z.string(),
      tags: z.array(z.string()),
      blobs: z.object({ written: z.number(), mounted: z.number(), existing: z.number() }),
      bytes: z.number(),
    }),
  ),
});

export const pruneBody = z
  .strictObject({
    policies: z
      .array(z.record(z.string(), z.unknown()))
      .min(1)
      .describe(
        'Cleanup policies in the file format `gcloud artifacts repositories set-cleanup-policies` reads.',
      ),
    image: z
      .string()
      .min(1)
      .max(255)
      .optional()
      .describe('Prune only this image (package) of the repository.'),
    dryRun: z.boolean().default(true).describe('Only plan (the default); false deletes what the plan says.'),
    deleteTagged: z.boolean().default(false).describe('Also delete versions tags still point to.'),
    inUse: z
      .array(reference)
      .max(10_000)
      .default([])
      .describe('Deployed image references: their versions stay.'),
  })
  .describe('A prune of one repository by cleanup policy.');

/** A prune job's parameters: the request body and the repository it was accepted for. */
export const pruneJobRequest = pruneBody.extend({
  repository: z.string().describe('The repository pruned: HOST/PROJECT/REPOSITORY.'),
});

export const pruneResult = z.object({
  applied: z.boolean(),
  versions: z.array(
    z.object({
      package: z.string(),
      digest: z.string(),
      tags: z.array(z.string()),
      createTime: z.string(),
      ageSeconds: z.number(),
      action: z.enum(['keep', 'delete', 'deleted', 'failed']),
      policy: z.string().nullable(),
      protectedBy: z.enum(['tagged', 'in-use']).nullable(),
      error: z.string().optional(),
    }),
  ),
  unresolvedInUse: z.array(z.string()),
});

/** The result of a recursive copy: one entry per image, as `gar copy --recursive --format json`. */
export const treeCopyResult = z.object({
  source: z.string(),
  destination: z.string(),
  images: z.array(
    z.object({
      source: z.string(),
      destination: z.string(),
      digest: z.string(),
      tags: z.array(z.string()),
      reason: z.string(),
      status: z.enum(['copied', 'skipped', 'failed']).optional(),
      error: z.object({ code: z.string(), message: z.string() }).optional(),
    }),
  ),
  totals: z.object({ images: z.number(), copied: z.number(), skipped: z.number(), failed: z.number() }),
});

export const job = z.object({
  id: z.string(),
  kind: z.string(),
  state: z
    .enum(['queued', 'running', 'succeeded', 'failed', 'cancelled'])
    .describe('queued: waiting for a free instance (Postgres store only).'),
  createdAt: z.string(),
  updatedAt: z.string(),
  request: z.union([copyBody, pruneJobRequest]),
  progress: z.object({
    bytes: z.number(),
    totalBytes: z.number(),
    blobsDone: z.number(),
    blobsTotal: z.number(),
    images: z.number(),
  }),
  result: z.union([copyResult, treeCopyResult, pruneResult]).optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  url: z.string().describe('Where to poll this job.'),
});

export const jobParams = z.object({ id: z.uuid() });

export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe(
      'A retry with the same key (same caller) returns the job the first request started instead of a second one.',
    ),
});

export const tagBody = z.strictObject({
  source: reference,
  tag: z
    .string()
    .regex(
      /^[\w][\w.-]{0,127}$/,
      'must be a Docker tag: letters, digits, _ . -, up to 128, not starting with . or -',
    ),
});

export const tagResult = z.object({ reference: z.string(), digest: z.string() });

export const deleteQuery = z.object({
  ref: reference,
  deleteTags: z
    .stringbool()
    .default(false)
    .describe('With a digest: delete the tags pointing to it too (else a tagged version is refused, 409).'),
});

export const deleteResult = z.object({ digest: z.string(), deletedTags: z.array(z.string()) });

export const health = z.object({ status: z.literal('ok') });

export const readiness = z.object({
  ready: z.boolean(),
  checks: z.array(
    z.object({
      name: z.string(),
      ok: z.boolean(),
      detail: z.string().optional(),
      error: z.object({ code: z.string(), message: z.string() }).optional(),
    }),
  ),
});
