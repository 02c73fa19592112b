import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isRecord } from '../../common/validation/is-record';
import { RATE_LIMITED_KEY, requestFacts } from '../throttling';
import { RequestTargets } from './request-target';
import { SpendBudgets } from './spend-budgets.service';

/**
 * Runs after the rate-limit guard on the routes it limits (`@RateLimited()`: the completion and
 * embedding routes): checks the caller's model allowlists and holds the request's estimated cost
 * on its dollar budgets (SpendBudgets.admit), then settles the hold with the real cost when the
 * response ends — sent, failed or aborted (`close` fires in every case). A caller without any
 * budget or allowlist costs one cached policy lookup.
 */
@Injectable()
export class SpendBudgetGuard implements CanActivate {
  private readonly routes = new WeakMap<object, boolean>();

  constructor(
    private readonly reflector: Reflector,
    private readonly budgets: SpendBudgets,
    private readonly targets: RequestTargets,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (!this.budgeted(ctx)) return true;
    const http = ctx.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const principal = req.principal;
    if (!principal) return true;
    const applying = await this.budgets.applicable(principal);
    if (applying.limits.length === 0 && applying.allow.length === 0) return true;
    const agentId = requestFacts(req, principal).agentId ?? promptId(req.body);
    const target = await this.targets.of(req.body, principal.orgId, agentId);
    await this.budgets.admit(principal, target, Date.now(), applying);
    http.getResponse<FastifyReply>().raw?.once('close', () => void this.budgets.settle(principal));
    return true;
  }

  private budgeted(ctx: ExecutionContext): boolean {
    const handler = ctx.getHandler();
    let marked = this.routes.get(handler);
    if (marked === undefined) {
      marked =
        this.reflector.getAllAndOverride<boolean>(RATE_LIMITED_KEY, [handler, ctx.getClass()]) ===
        true;
      this.routes.set(handler, marked);
    }
    return marked;
  }
}

/** The Responses API runs a stored agent through `prompt: { id }`. */
function promptId(body: unknown): string | undefined {
  const prompt = isRecord(body) ? body.prompt : undefined;
  const id = isRecord(prompt) ? prompt.id : undefined;
  return typeof id === 'string' && id.trim() !== '' ? id.trim() : undefined;
}
