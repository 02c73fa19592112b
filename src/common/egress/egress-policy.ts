import { BlockList, isIP } from 'node:net';
import { type AllowlistEntry, parseAllowlistEntry } from './allowlist';

/**
 * Which destinations outbound calls to tenant-configured URLs (provider base URLs, tools,
 * webhooks) may reach. By default only the public internet: loopback, private, link-local
 * (which holds cloud metadata at 169.254.169.254), carrier-grade NAT, multicast, reserved and
 * the IPv6 transition ranges that embed or tunnel to such addresses are refused, because such
 * a URL is user input and must not become a way into the gateway's own network (SSRF).
 */
export interface EgressPolicyOptions {
  allowPrivate: boolean;
  /**
   * Host names (`api.internal`), wildcard suffixes (`*.corp.example`), IPs or CIDRs
   * (`10.1.0.0/16`), each optionally with a port (`api.internal:8443`, `[fd00::1]:443`).
   */
  allowlist: string[];
}

const BLOCKED_V4: Array<[string, number]> = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

/**
 * IPv4-mapped addresses (`::ffff:a.b.c.d`) are not listed: Node's BlockList checks them
 * against the IPv4 ranges above, so a mapped public address stays public.
 */
const BLOCKED_V6: Array<[string, number]> = [
  ['::', 96], // unspecified, loopback and IPv4-compatible (::a.b.c.d, deprecated)
  ['::ffff:0:0:0', 96], // SIIT IPv4-translated (::ffff:0:a.b.c.d)
  ['64:ff9b::', 96], // NAT64 well-known prefix
  ['64:ff9b:1::', 48], // NAT64 local-use
  ['100::', 64], // discard-only
  ['2001::', 32], // Teredo (tunnels to an embedded IPv4 server/client)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4 (embeds an IPv4 address)
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed inside some networks)
  ['ff00::', 8], // multicast
];

const blocked = new BlockList();
for (const [net, prefix] of BLOCKED_V4) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of BLOCKED_V6) blocked.addSubnet(net, prefix, 'ipv6');

const MAPPED_DOTTED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** True for addresses outside the public internet, and for anything that is not an address. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const mapped = MAPPED_DOTTED.exec(address);
    if (mapped) return blocked.check(mapped[1], 'ipv4');
    return blocked.check(address, 'ipv6');
  }
  return true;
}

/** Names that always mean this machine (RFC 6761), whatever DNS says. */
const LOOPBACK_NAMES = /^(localhost|localhost\.localdomain|.+\.localhost)\.?$/i;

export const stripBrackets = (host: string): string => host.replace(/^\[|\]$/g, '');

/** The port a URL connects to (its explicit port, else the scheme's default). */
export function effectivePort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

export class EgressPolicy {
  private readonly entries: AllowlistEntry[];
  private readonly nets = new Map<number | undefined, BlockList>();

  constructor(private readonly opts: EgressPolicyOptions) {
    // The config schema has already refused bad entries; this throws for direct constructions.
    this.entries = opts.allowlist.filter((e) => e.trim() !== '').map(parseAllowlistEntry);
    for (const e of this.entries) {
      if (e.kind !== 'net') continue;
      let list = this.nets.get(e.port);
      if (!list) this.nets.set(e.port, (list = new BlockList()));
      if (e.prefix === undefined) list.addAddress(e.address, e.family);
      else list.addSubnet(e.address, e.prefix, e.family);
    }
  }

  /** Whether everything is open (`EGRESS_ALLOW_PRIVATE=true`). */
  get allowsPrivate(): boolean {
    return this.opts.allowPrivate;
  }

  /**
   * Whether `hostname` (as in the URL), resolved to `address`, may be contacted on `port`.
   * Allowlist entries with a port match only that port, so they never match when `port` is
   * not given.
   */
  allows(hostname: string, address: string, port?: number): boolean {
    if (this.opts.allowPrivate) return true;
    if (!isNonPublicAddress(address)) return true;
    return this.allowlisted(hostname, address, port);
  }

  /**
   * Why `url` can be refused before any DNS lookup, or undefined: a scheme other than http(s),
   * an IP literal the policy refuses, or a name that always means this machine (`localhost`).
   * Host names are checked again after resolution, at connect time; this is the early answer
   * (e.g. a 400 when the URL is stored) and never the only check.
   */
  refusal(url: URL): string | undefined {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return `only http and https URLs are allowed, got ${url.protocol}`;
    }
    const host = stripBrackets(url.hostname);
    const port = effectivePort(url);
    if (isIP(host) !== 0) {
      return this.allows(url.hostname, host, port)
        ? undefined
        : 'the address is not on the public internet and the egress policy does not allow it (see EGRESS_ALLOWLIST)';
    }
    if (LOOPBACK_NAMES.test(host) && !this.allows(host, '127.0.0.1', port)) {
      return 'the host is this machine and the egress policy does not allow it (see EGRESS_ALLOWLIST)';
    }
    return undefined;
  }

  private allowlisted(hostname: string, address: string, port: number | undefined): boolean {
    const host = stripBrackets(hostname).toLowerCase().replace(/\.$/, '');
    for (const e of this.entries) {
      if (e.port !== undefined && e.port !== port) continue;
      if (e.kind === 'host' && e.host === host) return true;
      if (e.kind === 'suffix' && host.endsWith(e.suffix)) return true;
    }
    const family = isIP(address);
    if (family === 0) return false;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const anyPort = this.nets.get(undefined);
    if (anyPort?.check(address, type)) return true;
    return port !== undefined && (this.nets.get(port)?.check(address, type) ?? false);
  }
}
