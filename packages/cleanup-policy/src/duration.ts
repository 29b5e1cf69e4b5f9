import { ArCleanupPolicyError } from './errors.js';

const UNIT_MS: Record<string, number> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };
/** gcloud's short form: `30d`, `1h30m`, `2592000s`, `2592000.0s` (what gcloud itself sends). */
const SHORT = /^(?:\d+(?:\.\d+)?[wdhms])+$/i;
const SHORT_PART = /(\d+(?:\.\d+)?)([wdhms])/gi;
/** ISO 8601, as gcloud's `times.ParseDuration` also accepts: `P30D`, `PT12H`, `P1DT2H`. */
const ISO =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/**
 * A duration as gcloud's policy file and AR's REST API write it, in milliseconds. Accepts
 * gcloud's forms (`30d`, `1h30m`, ISO `P30D`) and the REST form (`2592000s`, `2592000.0s`).
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  let ms: number | undefined;
  if (SHORT.test(trimmed)) {
    ms = 0;
    for (const [, amount, unit] of trimmed.matchAll(SHORT_PART))
      ms += Number(amount) * UNIT_MS[unit!.toLowerCase()]!;
  } else {
    const iso = ISO.exec(trimmed);
    if (iso !== null && trimmed.length > 1 && !trimmed.toUpperCase().endsWith('T')) {
      const [, w, d, h, m, s] = iso.map((part) => Number(part ?? 0));
      ms = w! * UNIT_MS.w! + d! * UNIT_MS.d! + h! * UNIT_MS.h! + m! * UNIT_MS.m! + s! * UNIT_MS.s!;
    }
  }
  if (ms === undefined || !Number.isFinite(ms)) {
    throw new ArCleanupPolicyError(
      'AR_CLEANUP_POLICY_INVALID_DURATION',
      `"${text}" is not a duration: write it as gcloud does, e.g. 30d, 12h, 1h30m, 2592000s or P30D.`,
    );
  }
  return Math.round(ms);
}

/** The REST form AR returns: whole seconds, `2592000s`. */
export function formatRestDuration(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}

/** The shortest exact gcloud short form (`30d`, `36h`, `90m`, `45s`), for tables and files. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
  ] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
