import type { EgressPolicy } from '../../common/egress';

/**
 * Rules for a base URL an org configures for a provider (its own proxy, a regional host). Unlike
 * the deployment's `<SERVICE>_BASE_URL`, it is tenant input, so it is checked when stored and
 * again before every call (the policy or DNS may have changed since):
 *
 * - http or https only;
 * - no credentials (`user:pw@`): a base URL is shown on read and appears in logs and errors,
 *   so it is no place for a secret; the provider credential is the key itself. Refused rather
 *   than stripped, because a proxy that needed them would then fail in a confusing way;
 * - no query and no fragment, not even an empty trailing `?` or `#`: the SDKs append paths such
 *   as `/chat/completions`, and a `?` or `#` would turn that into a query or fragment, giving
 *   the org full control of the path (e.g. a cloud metadata path);
 * - a destination the egress policy allows (IP literals and loopback names are checked here,
 *   names resolved to addresses at connect time).
 *
 * Returns why the URL is refused, or undefined. The text is safe to show to the org.
 */
export function tenantBaseUrlProblem(raw: string, policy: EgressPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'base_url must be an absolute http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return 'base_url must be an http(s) URL';
  }
  if (url.username !== '' || url.password !== '') {
    return 'base_url must not contain credentials (user:password@); the provider key is sent as the credential';
  }
  // The parser drops an empty `?` or `#`, so look at the text as given.
  if (raw.includes('?') || raw.includes('#')) {
    return 'base_url must not contain a query (?) or a fragment (#)';
  }
  const refusal = policy.refusal(url);
  return refusal === undefined ? undefined : `base_url is refused: ${refusal}`;
}

/** A stored base URL as reads show it: credentials (only in records older than the check) removed. */
export function displayBaseUrl(raw: string | null): string | null {
  if (raw === null || !raw.includes('@')) return raw;
  try {
    const url = new URL(raw);
    if (url.username === '' && url.password === '') return raw;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    // Not a URL we can take apart: show nothing rather than risk a credential.
    return '(hidden: not a valid URL)';
  }
}
