import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { egressConfig } from '../../config';
import { EgressPolicy } from './egress-policy';

/** The deployment's egress policy, shared by the tool executor and webhook delivery. */
@Global()
@Module({
  providers: [
    {
      provide: EgressPolicy,
      inject: [egressConfig.KEY],
      useFactory: (cfg: ConfigType<typeof egressConfig>) =>
        new EgressPolicy({ allowPrivate: cfg.allowPrivate, allowlist: cfg.allowlist }),
    },
  ],
  exports: [EgressPolicy],
})
export class EgressModule {}
