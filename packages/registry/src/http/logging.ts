import { isArError } from '@ar/errors';
import { type RequestLogger, redactUrl } from './log.js';
import type { Layer } from './types.js';

export function loggingLayer(log: RequestLogger): Layer {
  return (next) => async (request) => {
    const started = performance.now();
    const url = redactUrl(request.url);
    try {
      const response = await next(request);
      log({
        type: 'response',
        method: request.method,
        url,
        status: response.status,
        durationMs: performance.now() - started,
      });
      return response;
    } catch (error) {
      log({
        type: 'error',
        method: request.method,
        url,
        code: isArError(error) ? error.code : 'UNKNOWN',
        message: error instanceof Error ? error.message : String(error),
        durationMs: performance.now() - started,
      });
      throw error;
    }
  };
}
