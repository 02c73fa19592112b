import type { FactoryProvider } from '@nestjs/common';
import { ConfigChangeBus } from '../../../config-watcher';
import { ApiKeyInvalidationBus } from './api-key-invalidation.bus';
import { ConfigChangeInvalidationBus } from './config-change-invalidation.bus';

/** API-key invalidations ride on the config change bus (in-process, Redis relay, DB watcher). */
export const invalidationBusProvider: FactoryProvider<ApiKeyInvalidationBus> = {
  provide: ApiKeyInvalidationBus,
  inject: [ConfigChangeBus],
  useFactory: (changes: ConfigChangeBus) => new ConfigChangeInvalidationBus(changes),
};
