import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { appConfig } from '../../config';

/**
 * Paths pino blanks before writing: credentials in headers and any key-like field in logged
 * objects. A secret must never reach a log line, whatever logged it.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.apiKey',
  '*.api_key',
  '*.secret',
  '*.password',
  '*.token',
  '*.authorization',
  'headers.authorization',
  'headers["x-api-key"]',
];

/**
 * The app's logger: nestjs-pino's pino, configured here. Its per-request middleware is not
 * applied (`forRoutes: []`): the access log is a Fastify hook instead (see access-log.ts),
 * because that middleware ran pino-http through Nest's middleware layer and wrapped every
 * request in an AsyncLocalStorage context, which on Node 20 puts promise hooks on every
 * promise in the process; together about a fifth of the CPU of a completion request.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (app: ConfigType<typeof appConfig>) => ({
        forRoutes: [],
        pinoHttp: {
          level: app.logLevel,
          redact: { paths: REDACT_PATHS, censor: '[redacted]' },
          serializers: {
            req: (req: { id: string; method: string; url: string }) => ({
              id: req.id,
              method: req.method,
              url: req.url,
            }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
          transport: app.logPretty
            ? { target: 'pino-pretty', options: { singleLine: true } }
            : undefined,
        },
      }),
    }),
  ],
})
export class GatewayLoggerModule {}
