import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AnthropicErrorDto, GatewayErrorDto, OpenAiErrorDto } from '../common/swagger';

/** One tag per concern, in the order Swagger UI lists them; every operation carries exactly one. */
const TAGS: Array<[name: string, description: string]> = [
  ['completions', 'The agent API: run a stored agent, read its async jobs'],
  ['openai-compatible', "OpenAI's chat completions, embeddings and model list, for every provider"],
  ['anthropic-messages', "Anthropic's Messages API, for every provider"],
  ['responses', "OpenAI's Responses API, for every provider: create, stored responses, background"],
  ['conversations', "OpenAI's Conversations API: the same store as the threads"],
  ['agents', 'Stored agents: model, prompt, tools, fallbacks, limits'],
  ['tools', 'HTTP tools agents may call'],
  ['threads', 'Stored conversations'],
  ['call-logs', 'Per-call records of completions'],
  ['models', 'The model catalog and its deployment-wide overrides'],
  ['api-keys', 'Gateway API keys (gw_...)'],
  ['budgets', 'Dollar budgets (day, month) and model allowlists per org, API key and user'],
  ['provider-keys', "An org's own provider keys"],
  ['settings', "An org's settings"],
  ['metrics', "Usage of the caller's org"],
  ['queue', 'Async jobs: dead letters and the webhook signing secret'],
  ['operations', 'Health and Prometheus metrics'],
];

/** Swagger UI at /docs and the OpenAPI JSON at /docs-json, with both credential kinds. */
export function setupSwagger(app: INestApplication): void {
  const builder = new DocumentBuilder()
    .setTitle('AI Middleware')
    .setDescription(
      'One API in front of many LLM providers: an agent API, an OpenAI-compatible drop-in, an Anthropic-compatible drop-in, management and operations. ' +
        'Authenticate with a JWT or a gateway API key (`gw_...`) as a bearer token, or with `x-api-key`. ' +
        'An API key carries only scopes its creator holds and never a deployment-wide `deployment:*` scope, which ' +
        "only a JWT signed by the deployment's keys can carry. Completion routes are rate-limited per user (or API " +
        "key) and per thread, exactly across instances, and reserve an estimate of the org's token budget and of the dollar budgets that apply; 429 " +
        'answers carry `Retry-After` and `RateLimit-*` headers. Errors come in one schema per format: ' +
        '`GatewayErrorDto` on /api and the operations routes, `OpenAiErrorDto` on /v1, `AnthropicErrorDto` on /v1/messages.',
    )
    // Not configuration: npm's own variable (the package version when started by npm).
    .setVersion(process.env.npm_package_version ?? '0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT or gw_ API key' })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'api-key');
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    // The error schemas, once, for every operation's 4xx to reference.
    extraModels: [GatewayErrorDto, OpenAiErrorDto, AnthropicErrorDto],
    // Tags come from @ApiTags only: the automatic per-controller tag ("Models") duplicated them.
    autoTagControllers: false,
  });
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
