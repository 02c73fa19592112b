import { Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Passport } from 'passport';
import type { Strategy } from 'passport-strategy';
import { gatewayStrategyInfo } from './gateway-strategy';

/**
 * A strategy that can sometimes tell at once, synchronously and without side effects, who a
 * request is (e.g. a token it verified a moment ago): the principal it would produce, or
 * undefined when it has to run.
 */
export interface RecognisingStrategy {
  recognise(req: FastifyRequest): unknown;
}

/** What passport's chain ended with: a user, or why not (one `info` per strategy tried). */
export interface AuthOutcome {
  err: unknown;
  user: unknown;
  info: unknown;
}

/**
 * This app's own passport instance. Strategies are registered in it by name, found among the
 * app's providers at start-up (anything built with GatewayStrategy), and tried in their order.
 *
 * Why not passport's module-level singleton (what @nestjs/passport's `AuthGuard` uses): it is
 * shared by every app in the process, so two gateways in one process (the tests boot several,
 * two at once in the cross-instance ones) would authenticate with whichever app registered a
 * name last — an API-key strategy bound to another app's store. Registering by name, not
 * passing strategy instances, matters too: passport then runs each attempt on a per-request
 * copy of the strategy, where an instance would get every concurrent request's callbacks.
 */
@Injectable()
export class AppPassport implements OnModuleInit {
  private readonly logger = new Logger(AppPassport.name);
  private readonly passport = new Passport();
  private readonly orders = new Map<string, number>();
  private readonly instances = new Map<string, Strategy>();
  private chain: string[] = [];
  /** The first strategy of the chain, when it can recognise requests at once. */
  private first: RecognisingStrategy | undefined;

  constructor(@Optional() private readonly discovery?: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery?.getProviders() ?? []) {
      const instance: unknown = wrapper.isDependencyTreeStatic() ? wrapper.instance : undefined;
      if (gatewayStrategyInfo(instance)) this.register(instance as Strategy);
    }
    this.logger.log(`authentication strategies, in order: ${this.chain.join(', ')}`);
  }

  /** Adds a strategy made with GatewayStrategy (discovery does this; tests may call it). */
  register(strategy: Strategy): void {
    const info = gatewayStrategyInfo(strategy);
    if (!info) throw new Error('Only strategies made with GatewayStrategy() can be registered');
    this.passport.use(info.name, strategy);
    this.orders.set(info.name, info.order);
    this.instances.set(info.name, strategy);
    this.chain = [...this.orders.keys()].sort((a, b) => this.orders.get(a)! - this.orders.get(b)!);
    const head = this.instances.get(this.chain[0]);
    this.first = head && 'recognise' in head ? (head as unknown as RecognisingStrategy) : undefined;
  }

  get strategies(): readonly string[] {
    return this.chain;
  }

  /**
   * Runs the chain: the first strategy to succeed wins; an error stops it. A chain that ends
   * synchronously (a credential no strategy claims, say) is answered without a promise: this
   * runs on every request.
   */
  authenticate(req: FastifyRequest, reply: FastifyReply): AuthOutcome | Promise<AuthOutcome> {
    // The chain's first strategy would succeed at once (a token it verified a moment ago): the
    // outcome is the chain's, without its per-request machinery (the hot path's common case).
    const known = this.first?.recognise(req);
    if (known) return { err: null, user: known, info: undefined };
    let outcome: AuthOutcome | undefined;
    let settle: ((o: AuthOutcome) => void) | undefined;
    const done = (o: AuthOutcome) => {
      if (settle) settle(o);
      else outcome = o;
    };
    const middleware = this.passport.authenticate(
      this.chain,
      { session: false },
      (err: unknown, user: unknown, info: unknown) => done({ err, user, info }),
    ) as (req: unknown, res: unknown, next: (err?: unknown) => void) => void;
    middleware(req, reply, (err) => done({ err, user: undefined, info: undefined }));
    if (outcome) return outcome;
    return new Promise((resolve) => (settle = resolve));
  }
}
