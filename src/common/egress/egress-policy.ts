import { BlockList, isIP } from 'node:net';

/**
 * Which destinations outbound calls (tools, webhooks) may reach. By default only the public
 * internet: loopback, private, link-local (which holds cloud metadata at 169.254.169.254),
 * carrier-grade NAT, multicast and reserved ranges are refused, because a tool URL or webhook
 * URL is user input and must not become a way into the gateway's own network (SSRF).
 */
export interface EgressPolicyOptions {
  allowPrivate: boolean;
  /** Hostnames (`api.internal`), wildcard suffixes (`*.corp.example`), IPs or CIDRs (`10.1.0.0/16`). */
  allowlist: string[];
}

const BLOCKED_V4: Array<[string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

const BLOCKED_V6: Array<[string, number]> = [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
];

const blocked = new BlockList();
for (const [net, prefix] of BLOCKED_V4) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of BLOCKED_V6) blocked.addSubnet(net, prefix, 'ipv6');

/** True for addresses outside the public internet (IPv4-mapped IPv6 checked as IPv4). */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1], 'ipv4');
    return blocked.check(address, 'ipv6');
  }
  return true;
}

export class EgressPolicy {
  private readonly hosts = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly allowedNets = new BlockList();

  constructor(private readonly opts: EgressPolicyOptions) {
    for (const raw of opts.allowlist) {
      const entry = raw.trim().toLowerCase();
      if (entry === '') continue;
      const [net, prefix] = entry.split('/');
      const family = isIP(net);
      if (family !== 0) {
        const type = family === 4 ? 'ipv4' : 'ipv6';
        if (prefix === undefined) this.allowedNets.addAddress(net, type);
        else this.allowedNets.addSubnet(net, Number(prefix), type);
      } else if (entry.startsWith('*.')) {
        this.suffixes.push(entry.slice(1));
      } else {
        this.hosts.add(entry);
      }
    }
  }

  /** Whether `hostname`, resolved to `address`, may be contacted. */
  allows(hostname: string, address: string): boolean {
    if (this.opts.allowPrivate) return true;
    if (!isNonPublicAddress(address)) return true;
    const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
    if (this.hosts.has(host) || this.suffixes.some((s) => host.endsWith(s))) return true;
    const family = isIP(address);
    return family !== 0 && this.allowedNets.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}
