import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppException, ErrorCode } from '../../common/errors';
import { monitoringConfig } from '../../config';

/**
 * `/metrics` is public unless METRICS_TOKEN is set; then a scraper must send
 * `Authorization: Bearer <METRICS_TOKEN>`. Separate from the API's credentials on purpose: a
 * Prometheus server should hold a token that reads metrics and nothing else.
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(@Inject(monitoringConfig.KEY) cfg: ConfigType<typeof monitoringConfig>) {
    this.expected = cfg.metricsToken === undefined ? undefined : digest(cfg.metricsToken);
  }

  canActivate(ctx: ExecutionContext): boolean {
    if (this.expected === undefined) return true;
    const header = ctx.switchToHttp().getRequest<FastifyRequest>().headers.authorization;
    const sent = typeof header === 'string' ? /^Bearer (\S+)$/i.exec(header)?.[1] : undefined;
    // Digests have one length, so the comparison takes the same time whatever was sent.
    if (sent !== undefined && timingSafeEqual(digest(sent), this.expected)) return true;
    throw new AppException(ErrorCode.UNAUTHENTICATED, 'GET /metrics needs the metrics token', {
      headers: { 'www-authenticate': 'Bearer realm="metrics"' },
    });
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();
