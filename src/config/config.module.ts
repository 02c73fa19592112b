import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { parseEnv } from './env.schema';
import { allConfigNamespaces } from './namespaces';

/**
 * Loads and validates configuration once per app (not at import time, so tests can boot apps
 * with different environments); every namespace is global. `validate` is the composed schema's
 * parser (core keys plus the feature modules' fragments), given by the application root; the core
 * keys alone without it.
 */
@Module({})
export class AppConfigModule {
  static forRoot(validate: (raw: Record<string, unknown>) => unknown = parseEnv): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          // .env is applied once, by the entry point, before anything reads the environment
          // (src/bootstrap/environment.ts): the listen address needs it before Nest exists.
          ignoreEnvFile: true,
          load: allConfigNamespaces,
          validate: (raw) => {
            validate(raw);
            return raw;
          },
        }),
      ],
    };
  }
}
