export { type ApiOptions, type ApiService, createApi } from './app.js';
export type { Caller, Role } from './authz.js';
export { type ApiErrorCode, ArApiError } from './errors.js';
export { type AnyErrorCode, HTTP_STATUS, httpStatusOf } from './http-status.js';
export type { Job, JobProgress, JobState } from './jobs.js';
export { DEFAULT_ALLOWED_HOSTS } from './targets.js';
