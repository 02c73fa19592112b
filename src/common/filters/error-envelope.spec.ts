import { ErrorCode } from '../errors';
import { errorBodyFor, registerRouteErrorShape, type NormalisedError } from './error-envelope';

const err: NormalisedError = { status: 404, code: ErrorCode.NOT_FOUND, message: 'nope' };

describe('errorBodyFor', () => {
  it('uses a registered route shape on its prefix only, the most specific prefix winning', () => {
    registerRouteErrorShape('/v1/spec-shape', (e, id) => ({ shape: 'custom', m: e.message, id }));
    expect(errorBodyFor('/v1/spec-shape', err, 'r1')).toEqual({
      shape: 'custom',
      m: 'nope',
      id: 'r1',
    });
    expect(errorBodyFor('/v1/spec-shape/sub?x=1', err, 'r1')).toMatchObject({ shape: 'custom' });
    expect(errorBodyFor('/v1/spec-shape?beta=true', err, 'r1')).toMatchObject({ shape: 'custom' });
    // A longer path that merely starts with the prefix is not under it.
    expect(errorBodyFor('/v1/spec-shapes', err, 'r1')).toHaveProperty(
      'error.type',
      'not_found_error',
    );
    expect(errorBodyFor('/api/v1/agents', err, 'r1')).toMatchObject({ success: false });
  });
});
