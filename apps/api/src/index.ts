export { type ApiOptions, type ApiService, createApi } from './app.js';
export type { Caller, Role } from './authz.js';
export { API_ERROR_KINDS, type ApiErrorCode, ArApiError } from './errors.js';
export {
  type AnyErrorCode,
  HTTP_STATUS_BY_KIND,
  HTTP_STATUS_OVERRIDES,
  httpStatusOf,
} from './http-status.js';
export type { Job, JobExecutor, JobProgress, JobState, JobStore } from './jobs/index.js';
export { DEFAULT_ALLOWED_HOSTS } from './targets.js';
