import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
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

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (app: ConfigType<typeof appConfig>) => ({
        pinoHttp: {
          level: app.logLevel,
          redact: { paths: REDACT_PATHS, censor: '[redacted]' },
          // The id Fastify assigned (client's x-request-id or a fresh UUID) is on the raw headers.
          genReqId: (req: IncomingMessage) => String(req.headers['x-request-id'] ?? ''),
          customLogLevel: (_req, res, err) =>
            err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
          serializers: {
            req: (req: { id: string; method: string; url: string }) => ({
              id: req.id,
              method: req.method,
              url: req.url,
            }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
          // Health probes and scrapes are frequent and carry nothing worth a log line.
          autoLogging: {
            ignore: (req: IncomingMessage) => /^\/(health|metrics)/.test(req.url ?? ''),
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
