import { asyncCompletionsSuite } from '../queue/async-completions.suite';

// Embedded mode: the in-process queue and the job store on PGlite.
describe('async completions over the in-process queue', () => {
  asyncCompletionsSuite(() => ({}));
});
