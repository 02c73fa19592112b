import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { parseEnv } from './env.schema';
import { allConfigNamespaces } from './namespaces';

/**
 * Loads and validates configuration once per app (not at import time, so tests can boot apps
 * with different environments); every namespace is global.
 */
@Module({})
export class AppConfigModule {
  static forRoot(): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: process.env.NODE_ENV === 'test',
          load: allConfigNamespaces,
          validate: (raw) => {
            parseEnv(raw);
            return raw;
          },
        }),
      ],
    };
  }
}
