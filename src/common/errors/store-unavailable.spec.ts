import { QueryFailedError } from 'typeorm';
import { normaliseError } from '../filters/normalise-error';
import { ErrorCode } from './error-code';
import { isStoreUnavailable } from './store-unavailable';

const withProps = (message: string, props: Record<string, unknown>): Error =>
  Object.assign(new Error(message), props);

describe('isStoreUnavailable', () => {
  it.each([
    [
      'a refused connection',
      withProps('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' }),
    ],
    ['a reset connection', withProps('read ECONNRESET', { code: 'ECONNRESET' })],
    ['pg-pool giving up on a connection', new Error('timeout exceeded when trying to connect')],
    ['node-postgres losing its connection', new Error('Connection terminated unexpectedly')],
    ['our query deadline', new Error('Query read timeout')],
    [
      'a statement timeout (57014) wrapped by TypeORM',
      new QueryFailedError('SELECT 1', [], withProps('canceling statement', { code: '57014' })),
    ],
    ['the server shutting down (57P01)', withProps('terminating connection', { code: '57P01' })],
    [
      'no server selected by the MongoDB driver',
      withProps('x', { name: 'MongoServerSelectionError' }),
    ],
    ['a MongoDB socket timeout', withProps('x', { name: 'MongoNetworkTimeoutError' })],
    [
      'mongoose before its first connection',
      withProps('Cannot call `jobs.findOne()` before initial connection is complete', {
        name: 'MongooseError',
      }),
    ],
    [
      'ioredis with its offline queue off',
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    ],
    ['a cause chain', new Error('outer', { cause: withProps('inner', { code: 'ETIMEDOUT' }) })],
  ])('recognises %s', (_what, e) => {
    expect(isStoreUnavailable(e)).toBe(true);
  });

  it.each([
    ['a unique violation', new QueryFailedError('INSERT', [], withProps('dup', { code: '23505' }))],
    ['a syntax error', new QueryFailedError('SELEC', [], withProps('syntax', { code: '42601' }))],
    ['a MongoDB duplicate key', withProps('E11000', { name: 'MongoServerError', code: 11000 })],
    ['a plain bug', new TypeError('x is undefined')],
    ['not an error', 'ECONNREFUSED'],
  ])('leaves %s alone', (_what, e) => {
    expect(isStoreUnavailable(e)).toBe(false);
  });

  it('makes the filter answer 503 SERVICE_UNAVAILABLE with Retry-After instead of 500', () => {
    const e = normaliseError(withProps('connect ECONNREFUSED', { code: 'ECONNREFUSED' }));
    expect(e).toMatchObject({
      status: 503,
      code: ErrorCode.SERVICE_UNAVAILABLE,
      headers: { 'retry-after': '5' },
    });
    expect(e.message).not.toContain('ECONNREFUSED');
  });
});
