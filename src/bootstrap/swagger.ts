import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Swagger UI at /docs and the OpenAPI JSON at /docs-json, with both credential kinds. */
export function setupSwagger(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('AI Middleware')
    .setDescription(
      'One API in front of many LLM providers: an agent API, an OpenAI-compatible drop-in, management and operations. ' +
        'Authenticate with a JWT or a gateway API key (`gw_...`) as a bearer token, or with `x-api-key`. ' +
        'An API key carries only scopes its creator holds and never a deployment-wide `deployment:*` scope, which ' +
        "only a JWT signed by the deployment's keys can carry. Completion routes are rate-limited per user (or API " +
        "key) and per thread, exactly across instances, and reserve an estimate of the org's token budget; 429 " +
        'answers carry `Retry-After` and `RateLimit-*` headers.',
    )
    .setVersion(process.env.npm_package_version ?? '0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT or gw_ API key' })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'api-key')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
