import { describeManagementApi } from './management.suite';

describeManagementApi('Management API (embedded mode, real HTTP)', () => ({}), { embedded: true });
