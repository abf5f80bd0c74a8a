const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;

/** Dotted-quad IPv4 literal, each octet 0–255 (no leading-zero octal ambiguity: "01" is rejected). */
export function isIpv4Address(text: string): boolean {
  const match = IPV4.exec(text);
  if (match === null) return false;
  return match.slice(1).every((octet) => Number(octet) <= 255 && (octet === '0' || !octet.startsWith('0')));
}

function countHextets(part: string): number | undefined {
  if (part === '') return 0;
  const groups = part.split(':');
  let count = 0;
  for (const [i, group] of groups.entries()) {
    // an embedded IPv4 address may only be the last group and counts as two hextets
    if (i === groups.length - 1 && group.includes('.')) {
      if (!isIpv4Address(group)) return undefined;
      count += 2;
    } else if (HEXTET.test(group)) {
      count += 1;
    } else {
      return undefined;
    }
  }
  return count;
}

/** IPv6 literal (RFC 4291 text forms: full, `::`-compressed, IPv4-embedded; no zone id, no brackets). */
export function isIpv6Address(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const [head = '', tail = ''] = halves;
  if (halves.length === 1) return countHextets(head) === 8;
  // an IPv4 part is only allowed at the very end
  if (head.includes('.')) return false;
  const headCount = countHextets(head);
  const tailCount = countHextets(tail);
  if (headCount === undefined || tailCount === undefined) return false;
  return headCount + tailCount <= 7;
}

/** What Helios's `InetAddresses.isInetAddress` accepts for `PortMapping.ip`: an IPv4 or IPv6 literal. */
export function isIpAddress(text: string): boolean {
  return isIpv4Address(text) || isIpv6Address(text);
}
