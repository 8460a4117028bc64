/**
 * What a session keeps of its login request so that a person can recognise it in the list (SPEC §4
 * Sessions) — and no more: the User-Agent truncated, the source address reduced to its network.
 */

/** Longest User-Agent kept. Real ones are 100–250 characters; the rest is padding or an attack on the list. */
export const SESSION_USER_AGENT_MAX = 256;

/**
 * The User-Agent as stored: control characters dropped (it is shown back to the person, never
 * interpreted), trimmed, cut at `SESSION_USER_AGENT_MAX`; undefined when nothing is left.
 */
export function sessionUserAgent(raw: string | undefined): string | undefined {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is dropped
  const cleaned = (raw ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, SESSION_USER_AGENT_MAX);
  return cleaned === '' ? undefined : cleaned;
}

/**
 * The network a source address belongs to, in CIDR notation: IPv4 to its /24 (`203.0.113.0/24`),
 * IPv6 to its /48 (`2001:db8:1::/48`, the usual allocation to one site), an IPv4-mapped IPv6 address
 * as IPv4. Enough to tell "home" from "another country", not enough to find the device; the full
 * address is never stored with the session (the audit log's login events keep it, as they always
 * did). Undefined when the input is not an address.
 */
export function ipPrefixOf(sourceIp: string | undefined): string | undefined {
  const address = (sourceIp ?? '').trim();
  const v4 = ipv4Octets(address.replace(/^::ffff:/i, ''));
  if (v4) return `${v4[0]}.${v4[1]}.${v4[2]}.0/24`;
  const groups = ipv6Groups(address);
  if (!groups) return undefined;
  const kept = groups.slice(0, 3).map((group) => group.toString(16));
  // Trailing zero groups of the prefix fold into the `::` like any IPv6 text (RFC 5952).
  while (kept.length > 0 && kept[kept.length - 1] === '0') kept.pop();
  return `${kept.join(':')}::/48`;
}

function ipv4Octets(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^(0|[1-9]\d{0,2})$/.test(part) && Number(part) <= 255)) return undefined;
  return parts.map(Number);
}

/** The eight 16-bit groups of an IPv6 address (zone dropped; a dotted IPv4 tail counts as two). */
function ipv6Groups(text: string): number[] | undefined {
  const address = text.replace(/%.*$/, '');
  if (!address.includes(':') || (address.match(/::/g) ?? []).length > 1) return undefined;
  const [head = '', tail] = address.split('::');
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (const [index, piece] of pieces.entries()) {
      const octets = index === pieces.length - 1 && piece.includes('.') ? ipv4Octets(piece) : undefined;
      if (octets) out.push(((octets[0] ?? 0) << 8) | (octets[1] ?? 0), ((octets[2] ?? 0) << 8) | (octets[3] ?? 0));
      else if (/^[0-9a-f]{1,4}$/i.test(piece)) out.push(parseInt(piece, 16));
      else return undefined;
    }
    return out;
  };
  const first = parse(head);
  const last = tail === undefined ? [] : parse(tail);
  if (!first || !last) return undefined;
  if (tail === undefined) return first.length === 8 ? first : undefined;
  const missing = 8 - first.length - last.length;
  return missing >= 1 ? [...first, ...Array<number>(missing).fill(0), ...last] : undefined;
}
