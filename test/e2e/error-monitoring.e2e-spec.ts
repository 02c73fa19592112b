import { errorMonitoringSuite } from '../live-config/error-monitoring.suite';

// Embedded mode: PGlite, the in-process queue.
describe('error monitoring (embedded)', () => {
  errorMonitoringSuite(() => ({}));
});
