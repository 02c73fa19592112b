import { Global, Module } from '@nestjs/common';
import { ConfigChangeBus } from './events/config-change.bus';
import { ConfigWatcher } from './watcher/config-watcher.service';
import { ConfigRelayHolder } from './watcher/relay.holder';

/**
 * Live configuration's change detection (DESIGN flow 4): the change bus every cache subscribes
 * to, and the watcher (plus the Redis relay) that feeds it from the store. It knows the kinds of
 * stored configuration, never their owners: the owners (agents, tools, provider keys, API keys,
 * settings, catalog overrides) announce their writes on the bus and listen to it. Global,
 * because every one of them does.
 */
@Global()
@Module({
  providers: [ConfigChangeBus, ConfigRelayHolder, ConfigWatcher],
  exports: [ConfigChangeBus, ConfigWatcher],
})
export class ConfigWatcherModule {}
