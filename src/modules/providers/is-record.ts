// Defined once in common; re-exported so the provider adapters keep their import.
export { isRecord } from '../../common/validation/is-record';
