/** What one call of the helper knows about itself; commands fill it in as they learn. */
export interface HelperContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** What the log line will say about this call. */
  report: { host?: string; path?: 'warm' | 'cold'; source?: string; account?: string; expiresAt?: number };
  /** Secrets seen in this call, so the log can redact them from any text. */
  secrets: string[];
  /** `helper.log` of the config in use, once known. */
  logFile?: string | undefined;
}
