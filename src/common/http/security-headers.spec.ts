import { GATEWAY_HELMET_OPTIONS, securityHeadersFor } from './security-headers';

describe('securityHeadersFor', () => {
  it("captures helmet's headers once, with the gateway's CSP", () => {
    const h = securityHeadersFor(GATEWAY_HELMET_OPTIONS);
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['x-frame-options']).toBe('SAMEORIGIN');
    expect(h['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(h['content-security-policy']).toContain("script-src 'self' 'unsafe-inline'");
    expect(h['content-security-policy']).toContain("img-src 'self' data: https:");
    expect(Object.isFrozen(h)).toBe(true);
  });

  it('follows the options (a header turned off is not sent)', () => {
    const h = securityHeadersFor({ frameguard: false, contentSecurityPolicy: false });
    expect(h['x-frame-options']).toBeUndefined();
    expect(h['content-security-policy']).toBeUndefined();
    expect(h['x-content-type-options']).toBe('nosniff');
  });
});
