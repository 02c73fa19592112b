/**
 * Removes anything that looks like a credential from a provider's error text before it reaches
 * a log line or a client. Upstream messages sometimes echo the (partially masked) key back, e.g.
 * OpenAI's "Incorrect API key provided: sk-abc***xyz".
 */
const KEY_PATTERNS: RegExp[] = [
  // OpenAI / OpenRouter / Anthropic / Groq style prefixed keys, masked or not.
  /\b(?:sk|pk|rk|gsk|xai|sk-ant|sk-or|sk-proj)[-_][A-Za-z0-9*_.-]{3,}/g,
  // Google API keys.
  /\bAIza[0-9A-Za-z_-]{20,}/g,
  // Bearer tokens in echoed headers.
  /\bBearer\s+[A-Za-z0-9._~+/=*-]+/gi,
  // Any other long opaque token (Mistral keys are 32 alphanumerics).
  /\b[A-Za-z0-9_-]{32,}\b/g,
];

export const REDACTED = '[redacted]';

export function scrubSecrets(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of knownSecrets) {
    // Short placeholders ("none") would mangle ordinary words; real keys are long.
    if (secret.length >= 8) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of KEY_PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}
