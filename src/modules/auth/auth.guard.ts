import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { IS_PUBLIC_KEY, SCOPES_KEY } from '../../common/decorators';
import { AppException, ErrorCode } from '../../common/errors';
import { extractCredential } from './credentials';
import { JwtVerifier } from './jwt-verifier.service';

/**
 * Deny by default: every route needs a verified principal unless marked `@Public()`.
 * Scopes listed with `@Scopes()` are all required (403 when one is missing).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtVerifier,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;

    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const token = extractCredential(req);
    if (!token) {
      throw new AppException(
        ErrorCode.UNAUTHENTICATED,
        'Missing credentials: send Authorization: Bearer <token>',
      );
    }
    if (token.startsWith('gw_')) {
      throw new AppException(ErrorCode.UNAUTHENTICATED, 'Invalid API key');
    }
    const principal = this.jwt.verify(token);
    req.principal = principal;

    const required =
      this.reflector.getAllAndOverride<string[] | undefined>(SCOPES_KEY, targets) ?? [];
    const missing = required.filter((s) => !principal.scopes.includes(s));
    if (missing.length > 0) {
      throw new AppException(ErrorCode.FORBIDDEN, `Missing required scope: ${missing.join(', ')}`);
    }
    return true;
  }
}
