/** The config-watcher module's public surface; other modules import from here only. */
export { ConfigWatcherModule } from './config-watcher.module';
export {
  ConfigChangeBus,
  type ChangeForwarder,
  type ConfigListener,
} from './events/config-change.bus';
export {
  CONFIG_KINDS,
  type ConfigChange,
  type ConfigEvent,
  type ConfigKind,
} from './events/config-change';
export { invalidateOnChanges, type InvalidatableCache } from './events/invalidate-on-changes';
export { ConfigWatcher, type WatcherStatus } from './watcher/config-watcher.service';
export { ConfigWatcher1795708800000 } from './postgres/1795708800000-ConfigWatcher';
