import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-strategy';

type Done = (err: unknown, user?: unknown, info?: unknown) => void;
type Verify = (req: FastifyRequest, done: Done) => void;

/**
 * A passport strategy that hands the whole request to its verify function (what
 * passport-custom does, without its Express typings): for credentials no stock strategy reads,
 * such as gateway API keys in `Authorization: Bearer` or `x-api-key`.
 */
export class RequestStrategy extends Strategy {
  constructor(private readonly verify: Verify) {
    super();
  }

  // passport hands strategies whatever request the framework has: here Fastify's.
  override authenticate(req: unknown): void {
    this.verify(req as FastifyRequest, (err, user, info) => {
      // passport passes the error on as it is (an AppException keeps its status).
      if (err) this.error(err as Error);
      else if (user) this.success(user, info);
      else this.fail(info, 401);
    });
  }
}
