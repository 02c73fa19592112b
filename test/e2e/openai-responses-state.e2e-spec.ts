import { describeResponsesApiState } from './openai-responses-state.suite';

// Embedded mode: PGlite for every store, the in-process job queue.
describeResponsesApiState('Responses API state (embedded)', () => ({}));
