/**
 * The server-side request forgery guard of every outgoing fetch (feeds, redirects, full-text pages): an
 * address is reachable only when ipaddr.js classifies it as public unicast. Loopback, private, link-local,
 * carrier-grade NAT, unique-local IPv6, IPv4-mapped and translated IPv6, multicast, broadcast and the
 * unspecified address are refused unless the operator opts in to private networks; cloud metadata
 * endpoints are refused even then, because no feed ever lives there and a leaked instance credential is
 * the worst outcome a feed URL can cause.
 */
import ipaddr from 'ipaddr.js';

/** Instance metadata endpoints (AWS, GCP, Azure on IPv4; AWS's IPv6 one): never fetched, opt-in or not. */
const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254']);

/** Ranges that stay refused with `allowPrivateNetwork`: nothing can be served from them. */
const NEVER_REACHABLE = new Set(['unspecified', 'broadcast', 'multicast']);

/** Why `address` may not be connected to, or `undefined` when it may. `address` is an IP literal. */
export function refusedAddressReason(address: string, allowPrivateNetwork: boolean): string | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.replace(/^\[|\]$/g, ''));
  } catch {
    return `${address} is not an IP address`;
  }
  const normalised = parsed.toNormalizedString();
  const canonical = parsed.kind() === 'ipv6' ? (parsed as ipaddr.IPv6).toString() : normalised;
  if (METADATA_ADDRESSES.has(canonical)) return `${address} is a cloud metadata endpoint`;
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    const inner = (parsed as ipaddr.IPv6).toIPv4Address().toString();
    if (METADATA_ADDRESSES.has(inner)) return `${address} is a cloud metadata endpoint`;
  }
  const range = parsed.range();
  if (range === 'unicast') return undefined;
  if (allowPrivateNetwork && !NEVER_REACHABLE.has(range)) return undefined;
  const hint = NEVER_REACHABLE.has(range) ? '' : ' (allowPrivateNetwork opts in)';
  return `${address} is a ${describeRange(range)} address${hint}`;
}

/** ipaddr.js range names in words a person reading a run report understands. */
function describeRange(range: string): string {
  const words: Record<string, string> = {
    loopback: 'loopback',
    private: 'private-network',
    linkLocal: 'link-local',
    carrierGradeNat: 'carrier-grade NAT',
    uniqueLocal: 'unique-local',
    ipv4Mapped: 'IPv4-mapped IPv6',
    unspecified: 'unspecified',
    multicast: 'multicast',
    broadcast: 'broadcast',
    reserved: 'reserved',
  };
  return words[range] ?? `non-public (${range})`;
}

/** True when `hostname` (as `URL.hostname` gives it, IPv6 in brackets) is an IP literal, not a name. */
export function isIpLiteral(hostname: string): boolean {
  return ipaddr.isValid(hostname.replace(/^\[|\]$/g, ''));
}
