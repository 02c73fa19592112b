import { describeResponsesState } from './responses-state.suite';

describeResponsesState('Responses state in the app (embedded PGlite)', () => ({}));
