/**
 * Blanks what looks like a credential in text bound for a log line or an APM: error messages
 * and stacks can echo URLs with passwords, bearer tokens or provider keys. Applied on top of
 * the messages' own care (provider errors are already scrubbed where they are made).
 */
const PATTERNS: Array<[RegExp, string]> = [
  // user:password@ in connection strings and URLs.
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/:@]+:[^\s/@]+@/gi, '$1[redacted]@'],
  [/\bBearer\s+[A-Za-z0-9._~+/=*-]+/gi, 'Bearer [redacted]'],
  // Provider keys (sk-..., sk-ant-..., gsk_...), gateway keys (gw_...), webhook secrets.
  [/\b(?:sk|pk|rk|gsk|xai|gw|whsec)[-_][A-Za-z0-9*_.-]{6,}/g, '[redacted]'],
  [/\bAIza[0-9A-Za-z_-]{20,}/g, '[redacted]'],
  // JWTs.
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[redacted]'],
  // Any other long opaque token.
  [/\b[A-Za-z0-9_-]{40,}\b/g, '[redacted]'],
];

export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
