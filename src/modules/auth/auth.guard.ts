import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as jwt from 'jsonwebtoken';
import type { Principal } from '../../common/auth/principal';
import { IS_PUBLIC_KEY, SCOPES_KEY } from '../../common/decorators';
import { AppException, ErrorCode } from '../../common/errors';
import './authenticated-request';
import { extractCredential } from './credentials';
import { unauthenticated } from './errors';
import { AppPassport, type AuthOutcome } from './strategies/app-passport';

/**
 * Deny by default: every route needs a verified principal unless marked `@Public()`; scopes
 * listed with `@Scopes()` are all required (403 when one is missing).
 *
 * Authentication is passport's: the app's strategies (gateway API keys, then JWTs, then any an
 * extension adds with GatewayStrategy) are tried in order on this app's own passport instance
 * (AppPassport explains why not the process-wide one, and so why not @nestjs/passport's
 * `AuthGuard`, which authenticates through it). This guard turns passport's outcome into the
 * principal or into DESIGN's error envelope: 401 with a Bearer challenge, or the strategy's own
 * AppException (e.g. 503 when the key store or the JWKS is unreachable).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly passport: AppPassport,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;

    const http = ctx.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    // Every strategy gets its turn, even without a bearer credential (an mTLS strategy reads none).
    const outcome = await this.passport.authenticate(req, http.getResponse<FastifyReply>());
    const principal = principalOf(outcome, () => extractCredential(req) !== undefined);
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

/** The principal, or the most telling refusal among the strategies' reasons. */
function principalOf({ err, user, info }: AuthOutcome, hadCredential: () => boolean): Principal {
  if (err) throw err instanceof AppException ? err : unauthenticated('Invalid credentials');
  if (user) return user as Principal;
  if (!hadCredential()) {
    throw unauthenticated(
      'Missing credentials: send Authorization: Bearer <token or gw_ API key>, or x-api-key',
    );
  }
  const reasons = (Array.isArray(info) ? info : [info]).filter(
    (r) => r !== undefined && r !== null,
  );
  // A strategy's own verdict (e.g. 503: signing keys unavailable) wins over a generic one.
  const own = reasons.find((r): r is AppException => r instanceof AppException);
  if (own) throw own;
  for (const reason of reasons) {
    if (reason instanceof jwt.TokenExpiredError) throw unauthenticated('Token has expired');
    if (reason instanceof jwt.NotBeforeError) throw unauthenticated('Token is not valid yet');
    if (reason instanceof jwt.JsonWebTokenError) {
      throw unauthenticated(`Invalid token: ${reason.message}`);
    }
  }
  throw unauthenticated('Invalid credentials');
}
