import { redact } from './redact';

describe('redact', () => {
  it('blanks credentials wherever they appear in a message or stack', () => {
    const text = [
      'connect to postgres://app:hunter2@db.internal:5432/x failed',
      'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
      'key sk-proj-abcdef0123456789 and gw_abcdefghijkl and whsec_0123456789abcdef',
      'google AIzaSyA-0123456789abcdefghijklmnop',
      'opaque 0123456789abcdef0123456789abcdef0123456789',
    ].join('\n');
    const out = redact(text);
    for (const secret of [
      'hunter2',
      'eyJhbGciOiJIUzI1NiJ9',
      'sk-proj-abcdef',
      'gw_abcdefghijkl',
      'whsec_0123456789',
      'AIzaSyA',
      '0123456789abcdef0123456789abcdef0123456789',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('postgres://[redacted]@db.internal:5432/x failed');
  });

  it('leaves ordinary text alone', () => {
    expect(redact('openai returned 500: mock error 500')).toBe(
      'openai returned 500: mock error 500',
    );
  });
});
