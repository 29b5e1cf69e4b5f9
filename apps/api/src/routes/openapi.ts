import type { SwaggerOptions } from '@fastify/swagger';
import type { FastifyPluginAsync } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/**
 * The document @fastify/swagger builds from the route schemas. Swagger is registered on the root
 * instance with these options (it collects routes as they are added, so it must come first).
 */
export const openApiOptions: SwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: '@ar/api',
      version: '0.0.0',
      description:
        'List, resolve, promote, tag and clean up Artifact Registry images. Every /v1 call needs a bearer API key or a Google-signed ID token.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key, or a Google-signed ID token.' },
      },
    },
  },
  transform: jsonSchemaTransform,
};

export const openApiRoutes: FastifyPluginAsync = async (app) => {
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};
