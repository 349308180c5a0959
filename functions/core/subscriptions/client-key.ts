/**
 * The key the per-client throttle counts under. One person controls a whole IPv6 /64 (it is the
 * smallest block a provider hands out), so counting full IPv6 addresses gave a bot 2^64 fresh keys:
 * IPv6 clients are counted by their /64, IPv4 clients (and IPv4-mapped IPv6) by their address. The
 * key is an HMAC with a secret, so the state table never holds a client's address and nobody without
 * the secret can tell which network a counter belongs to (a bare hash of an IPv4 address is reversed
 * by trying all 2^32).
 */
import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

/** The eight 16-bit groups of an IPv6 address, `::` expanded; an embedded IPv4 tail becomes two groups. */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/u, '');
  const ipv4Tail = /(\d+\.\d+\.\d+\.\d+)$/u.exec(text);
  if (ipv4Tail?.[1]) {
    const [a, b, c, d] = ipv4Tail[1].split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -ipv4Tail[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/**
 * The network a client is counted as: the IPv4 address itself, or the /64 prefix of an IPv6 address
 * (`2001:db8:1:2::/64`). Anything that is not an IP address is counted as itself.
 */
export function clientNetwork(ip: string): string {
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return ip;
  const groups = ipv6Groups(ip);
  // ::ffff:a.b.c.d is an IPv4 client reaching us over IPv6.
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [high = 0, low = 0] = groups.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The throttle key for a client: `ip#` and a keyed hash of its network, never the address itself. */
export function clientThrottleKey(ip: string, secret: string): string {
  const digest = createHmac('sha256', secret)
    .update(`gazette:throttle:${clientNetwork(ip)}`)
    .digest('hex');
  return `ip#${digest.slice(0, 32)}`;
}
