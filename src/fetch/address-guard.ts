// Which network addresses a fetch may connect to: public unicast only, so that a link cannot reach the bot's own
// machine, its network or a cloud metadata service.
import ipaddr from 'ipaddr.js';

/**
 * Why a fetch may not connect to `address` (an IPv4 or IPv6 literal), or null when it is a public
 * unicast address. Loopback, private, link-local, carrier-grade NAT, multicast, broadcast,
 * unspecified, documentation and other reserved ranges are refused, also when an IPv4 address is
 * written inside an IPv6 one (`::ffff:127.0.0.1`, `::127.0.0.1`, NAT64 `64:ff9b::/96`, 6to4).
 */
export function refusedAddress(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.replace(/^\[|\]$/g, ''));
  } catch {
    return 'not an IP address';
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    // An IPv4 address carried in IPv6 reaches the IPv4 network: it is judged as that address.
    if (v6.isIPv4MappedAddress()) return refusedAddress(v6.toIPv4Address().toString());
    const parts = v6.parts;
    if (parts.slice(0, 6).every((p) => p === 0) && (parts[6] !== 0 || parts[7]! > 1)) {
      return refusedAddress(`${parts[6]! >> 8}.${parts[6]! & 255}.${parts[7]! >> 8}.${parts[7]! & 255}`);
    }
  }
  const range = parsed.range();
  if (range === 'unicast') return null;
  const kind = describe(range);
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} address`;
}

function describe(range: string): string {
  switch (range) {
    case 'private':
    case 'uniqueLocal':
      return 'private-network';
    case 'loopback':
      return 'loopback (this machine)';
    case 'linkLocal':
      return 'link-local';
    case 'carrierGradeNat':
      return 'carrier-grade NAT';
    default:
      return `${range.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}`;
  }
}
