import { BlockList, isIP } from 'node:net';

/**
 * Pure: which IP addresses a media URL may reach (issue 16 §3). A caller of the send API names a
 * URL and the session host fetches it; without this, `http://127.0.0.1:9000/` (the S3 server),
 * `http://169.254.169.254/` (cloud metadata) or an intranet page would be read and sent to any
 * WhatsApp number. Shared by the supervisor (literal addresses in the URL, refused before anything
 * reaches a host) and the host's fetcher (every resolved address of every hop).
 */

export type AddressRange =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'metadata'
  | 'reserved'
  | 'multicast';

export type AddressVerdict = { allowed: true } | { allowed: false; range: AddressRange };

interface Entry {
  range: AddressRange;
  net: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

// Checked in order: the first match names the range in the error message.
const RANGES: readonly Entry[] = [
  { range: 'metadata', net: '169.254.169.254', prefix: 32, family: 'ipv4' },
  // AWS' IPv6 instance metadata endpoint (inside the ULA block below, named for the message).
  { range: 'metadata', net: 'fd00:ec2::254', prefix: 128, family: 'ipv6' },
  // Alibaba Cloud's metadata address sits in CGNAT space.
  { range: 'metadata', net: '100.100.100.200', prefix: 32, family: 'ipv4' },
  { range: 'unspecified', net: '0.0.0.0', prefix: 8, family: 'ipv4' },
  { range: 'loopback', net: '127.0.0.0', prefix: 8, family: 'ipv4' },
  { range: 'private', net: '10.0.0.0', prefix: 8, family: 'ipv4' },
  { range: 'private', net: '172.16.0.0', prefix: 12, family: 'ipv4' },
  { range: 'private', net: '192.168.0.0', prefix: 16, family: 'ipv4' },
  { range: 'link-local', net: '169.254.0.0', prefix: 16, family: 'ipv4' },
  { range: 'cgnat', net: '100.64.0.0', prefix: 10, family: 'ipv4' },
  // IETF protocol assignments, documentation, benchmarking and the old class E space.
  { range: 'reserved', net: '192.0.0.0', prefix: 24, family: 'ipv4' },
  { range: 'reserved', net: '192.0.2.0', prefix: 24, family: 'ipv4' },
  { range: 'reserved', net: '198.18.0.0', prefix: 15, family: 'ipv4' },
  { range: 'reserved', net: '198.51.100.0', prefix: 24, family: 'ipv4' },
  { range: 'reserved', net: '203.0.113.0', prefix: 24, family: 'ipv4' },
  { range: 'reserved', net: '240.0.0.0', prefix: 4, family: 'ipv4' },
  { range: 'multicast', net: '224.0.0.0', prefix: 4, family: 'ipv4' },
  { range: 'unspecified', net: '::', prefix: 128, family: 'ipv6' },
  { range: 'loopback', net: '::1', prefix: 128, family: 'ipv6' },
  { range: 'private', net: 'fc00::', prefix: 7, family: 'ipv6' },
  { range: 'link-local', net: 'fe80::', prefix: 10, family: 'ipv6' },
  { range: 'reserved', net: '2001:db8::', prefix: 32, family: 'ipv6' },
  { range: 'reserved', net: '100::', prefix: 64, family: 'ipv6' },
  { range: 'multicast', net: 'ff00::', prefix: 8, family: 'ipv6' },
];

const LISTS: readonly { range: AddressRange; list: BlockList }[] = RANGES.map((e) => {
  const list = new BlockList();
  list.addSubnet(e.net, e.prefix, e.family);
  return { range: e.range, list };
});

/** Pure: may a connection go to `address` (an IPv4 or IPv6 literal, brackets allowed)? */
export function addressVerdict(address: string): AddressVerdict {
  const ip = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(ip);
  if (family === 0) return { allowed: false, range: 'reserved' };
  // An IPv4 address hidden in IPv6 (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16)
  // reaches the same host as the IPv4 address itself.
  const embedded = family === 6 ? embeddedIpv4(ip) : undefined;
  if (embedded !== undefined) return addressVerdict(embedded);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const { range, list } of LISTS) if (list.check(ip, type)) return { allowed: false, range };
  return { allowed: true };
}

/** Pure: the verdict of a URL host that is itself an address or a loopback name; undefined for other names. */
export function literalHostVerdict(hostname: string): AddressVerdict | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return { allowed: false, range: 'loopback' };
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return isIP(bare) === 0 ? undefined : addressVerdict(bare);
}

function embeddedIpv4(ip: string): string | undefined {
  const words = expandIpv6(ip);
  if (!words) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeros = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  if (zeros(0, 5) && words[5] === 0xffff) return v4(words[6]!, words[7]!); // ::ffff:a.b.c.d
  if (words[0] === 0x64 && words[1] === 0xff9b && zeros(2, 6)) return v4(words[6]!, words[7]!); // NAT64
  if (words[0] === 0x2002) return v4(words[1]!, words[2]!); // 6to4
  if (zeros(0, 6) && (words[6] !== 0 || words[7]! > 1)) return v4(words[6]!, words[7]!); // deprecated ::a.b.c.d
  return undefined;
}

/** Eight 16-bit words of an IPv6 literal (with `::` and a dotted IPv4 tail), or undefined. */
function expandIpv6(ip: string): number[] | undefined {
  let text = ip.split('%')[0]!.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const parts = dotted[1]!.split('.').map(Number);
    text = `${text.slice(0, -dotted[1]!.length)}${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill('0');
  const all = [...h, ...fill, ...t];
  if (all.length !== 8) return undefined;
  const words = all.map((w) => parseInt(w, 16));
  return words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? words : undefined;
}
