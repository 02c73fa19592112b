/**
 * The shape of a client-chosen id the gateway stores, logs and echoes (request, thread, agent
 * and job ids): 1-128 letters, digits, `.`, `_`, `:` or `-`, so it is safe in a header, a log
 * line and a URL path segment.
 */
export const SAFE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
