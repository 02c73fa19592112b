import { domainToASCII } from 'node:url';
import { isIP } from 'node:net';

/**
 * One `EGRESS_ALLOWLIST` entry: a host name, a wildcard suffix, an IP address or a CIDR, each
 * optionally with a port (`api.internal:8443`, `*.corp.example:443`, `10.0.0.5:8080`,
 * `[fd00::1]:8443`, `10.2.0.0/16:443`). Without a port the entry matches every port.
 */
export type AllowlistEntry =
  | { kind: 'host'; host: string; port?: number }
  | { kind: 'suffix'; suffix: string; port?: number }
  | { kind: 'net'; family: 'ipv4' | 'ipv6'; address: string; prefix?: number; port?: number };

export class AllowlistEntryError extends Error {
  constructor(
    readonly entry: string,
    reason: string,
  ) {
    super(`"${entry}" ${reason}`);
    this.name = 'AllowlistEntryError';
  }
}

const HOST_LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/**
 * Parses one entry, or throws naming why it could never match anything (a URL instead of a
 * host, a bad port or prefix, a wildcard that is not a leading `*.`): such an entry is a typo
 * that would silently leave the destination refused, so the boot stops on it instead.
 */
export function parseAllowlistEntry(raw: string): AllowlistEntry {
  const entry = raw.trim().toLowerCase();
  const fail = (reason: string): never => {
    throw new AllowlistEntryError(raw.trim(), reason);
  };
  if (entry === '') fail('is empty');
  if (entry.includes('://')) fail('must be a host, not a URL (drop the scheme)');
  if (/[\s@?#]/.test(entry)) fail('must be a host[:port], an IP[:port] or a CIDR');

  let rest = entry;
  let port: number | undefined;
  // `[v6]` / `[v6]:port`; a bare IPv6 address or CIDR has no port (it would be ambiguous).
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
  if (bracketed) {
    rest = bracketed[1];
    if (bracketed[2] !== undefined) port = parsePort(bracketed[2], fail);
    if (isIP(rest.split('/')[0]) !== 6) fail('has brackets around something that is not IPv6');
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    const at = rest.lastIndexOf(':');
    port = parsePort(rest.slice(at + 1), fail);
    rest = rest.slice(0, at);
  }

  if (rest.includes('/')) {
    const [net, prefixText, ...more] = rest.split('/');
    const family = isIP(net);
    if (family === 0 || more.length > 0) fail('is not a valid CIDR (e.g. 10.2.0.0/16)');
    const max = family === 4 ? 32 : 128;
    const prefix = Number(prefixText);
    if (!/^\d{1,3}$/.test(prefixText) || prefix > max) {
      fail(`has a prefix length outside 0-${max}`);
    }
    return { kind: 'net', family: family === 4 ? 'ipv4' : 'ipv6', address: net, prefix, port };
  }
  if (isIP(rest) !== 0) {
    return { kind: 'net', family: isIP(rest) === 4 ? 'ipv4' : 'ipv6', address: rest, port };
  }
  if (rest.startsWith('*.')) {
    const suffix = normalHost(rest.slice(2), fail);
    return { kind: 'suffix', suffix: `.${suffix}`, port };
  }
  if (rest.includes('*')) fail('may only use a wildcard as a leading "*." (e.g. *.corp.example)');
  const host = normalHost(rest, fail);
  // `127.1` or `0x7f000001` are IP addresses once a URL is parsed: match them as such.
  if (isIP(host) !== 0) {
    return { kind: 'net', family: isIP(host) === 4 ? 'ipv4' : 'ipv6', address: host, port };
  }
  return { kind: 'host', host, port };
}

function parsePort(text: string, fail: (reason: string) => never): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port < 1 || port > 65535) fail('has a port outside 1-65535');
  return port;
}

/** The host as URL parsing spells it (lower case, punycode, no trailing dot). */
function normalHost(text: string, fail: (reason: string) => never): string {
  let host: string;
  try {
    host = new URL(`http://${text}/`).hostname;
  } catch {
    return fail('is not a valid host name');
  }
  host = host.replace(/\.$/, '');
  if (isIP(host) !== 0) return host;
  const ascii = domainToASCII(host);
  if (ascii === '' || !ascii.split('.').every((label) => HOST_LABEL.test(label))) {
    fail('is not a valid host name');
  }
  return ascii;
}

/** Every problem in a list of entries, one line each (for the boot-time config check). */
export function allowlistProblems(entries: string[]): string[] {
  const problems: string[] = [];
  for (const raw of entries) {
    try {
      parseAllowlistEntry(raw);
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
    }
  }
  return problems;
}
