import type { Type } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Passport } from 'passport';

/** Where a strategy is registered: its name in the app's passport, and its turn in the chain. */
export interface GatewayStrategyInfo {
  name: string;
  /** Strategies are tried in ascending order (built-ins: jwt 10, api-key 20; others 100). */
  order: number;
}

const INFO = Symbol('gateway-strategy');

/**
 * passport's module-level singleton, which `PassportStrategy` registers every strategy in, is
 * shared by every app in the process (last registration wins: two gateways in one process would
 * authenticate with whichever app's strategy was built last). Strategies made with
 * `GatewayStrategy` register here instead — a registry nobody reads — and the app's own
 * passport (AppPassport) picks them up by discovery.
 */
const UNUSED_GLOBAL = new Passport();

/**
 * `PassportStrategy(Strategy, name)` for this gateway: the same `validate()` contract, but the
 * strategy joins this app's passport instead of the process-wide one, in the given order. To add
 * a way to authenticate (OIDC, mTLS, another key scheme), write
 *
 *   @Injectable()
 *   export class MtlsStrategy extends GatewayStrategy(Strategy, 'mtls', 30) {
 *     validate(req: FastifyRequest): Principal | null { ... }   // null: not mine, try the next
 *   }
 *
 * and list it among any module's providers: the global auth guard tries it in its turn.
 * `validate` returns the Principal, null/false to pass the request to the next strategy, or
 * throws an AppException to stop the chain (e.g. a credential that is clearly its own but bad).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same bound as PassportStrategy's
export function GatewayStrategy<T extends Type<any>>(
  Strategy: T,
  name: string,
  order = 100,
): ReturnType<typeof PassportStrategy<T>> {
  const Base: Type<object> = PassportStrategy(Strategy, name);
  class Registered extends Base {
    getPassportInstance(): typeof UNUSED_GLOBAL {
      return UNUSED_GLOBAL;
    }
  }
  Object.defineProperty(Registered.prototype, INFO, { value: { name, order } });
  return Registered as unknown as ReturnType<typeof PassportStrategy<T>>;
}

/** The registration of a strategy made with GatewayStrategy, or undefined for anything else. */
export function gatewayStrategyInfo(instance: unknown): GatewayStrategyInfo | undefined {
  if (typeof instance !== 'object' || instance === null) return undefined;
  return (instance as { [INFO]?: GatewayStrategyInfo })[INFO];
}
