/**
 * IP address text to numbers and back, for the IP table. An IPv4 address is an unsigned 32-bit number; an
 * IPv6 address is four unsigned 32-bit lanes, most significant first. Parsing allocates nothing: IPv6
 * lanes go into a caller's scratch array.
 */

const ZERO = 48;
const DOT = 46;
const COLON = 58;

/** Scratch space for the eight 16-bit groups of one IPv6 address. */
const groups = new Uint16Array(8);

/**
 * The dotted quad between `start` and `end` as an unsigned number, or -1. Leading zeros are refused
 * ("010.1.1.1" is octal to some tools and decimal to others), as Python's ipaddress and the event
 * sanitiser refuse them.
 */
export function parseIPv4(text: string, start = 0, end = text.length): number {
  let result = 0;
  let octets = 0;
  let i = start;
  for (;;) {
    const first = i;
    let octet = 0;
    while (i < end) {
      const digit = text.charCodeAt(i) - ZERO;
      if (digit < 0 || digit > 9) break;
      octet = octet * 10 + digit;
      if (++i - first > 3) return -1;
    }
    const length = i - first;
    if (length === 0 || octet > 255 || (length > 1 && text.charCodeAt(first) === ZERO)) return -1;
    result = result * 256 + octet;
    if (++octets === 4) return i === end ? result : -1;
    if (i >= end || text.charCodeAt(i) !== DOT) return -1;
    i++;
  }
}

/** Value of each hex digit by its character code (Latin-1 range), -1 for anything else. */
const hexDigit = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) hexDigit[48 + c] = c;
for (let c = 0; c < 6; c++) {
  hexDigit[97 + c] = 10 + c;
  hexDigit[65 + c] = 10 + c;
}

function hexValue(c: number): number {
  return c < 256 ? (hexDigit[c] ?? -1) : -1;
}

function group(k: number): number {
  return groups[k] ?? 0;
}

/**
 * Parses the IPv6 address between `start` and `end` (RFC 4291 §2.2 text forms: "::" once, a trailing
 * dotted quad) into `lanes[offset..offset+3]`; false if it is none. No zone id, no prefix length.
 */
export function parseIPv6(
  text: string,
  lanes: Uint32Array,
  offset = 0,
  start = 0,
  end = text.length,
): boolean {
  let count = 0;
  let gap = -1;
  let i = start;
  if (end - start < 2) return false;
  if (text.charCodeAt(i) === COLON) {
    if (text.charCodeAt(i + 1) !== COLON) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    if (count === 8) return false;
    // One group: up to four hex digits, read with one table load per character.
    const from = i;
    let value = 0;
    let c = text.charCodeAt(i);
    let h = hexValue(c);
    while (h >= 0) {
      value = (value << 4) | h;
      if (++i - from > 4) return false;
      if (i === end) break;
      c = text.charCodeAt(i);
      h = hexValue(c);
    }
    if (i < end && c === DOT) {
      // A trailing dotted quad takes the last two groups.
      if (count > 6) return false;
      const v4 = parseIPv4(text, from, end);
      if (v4 < 0) return false;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      break;
    }
    if (i === from) return false;
    groups[count++] = value;
    if (i === end) break;
    if (c !== COLON) return false;
    i++;
    if (i < end && text.charCodeAt(i) === COLON) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    } else if (i === end) return false;
  }
  if (gap < 0) {
    if (count !== 8) return false;
  } else {
    if (count > 7) return false;
    const shift = 8 - count;
    for (let k = count - 1; k >= gap; k--) groups[k + shift] = group(k);
    groups.fill(0, gap, gap + shift);
  }
  for (let k = 0; k < 4; k++) lanes[offset + k] = ((group(2 * k) << 16) | group(2 * k + 1)) >>> 0;
  return true;
}

/** Decimal text of 0..255: formatting an address joins strings instead of converting numbers. */
const octetText = Array.from({ length: 256 }, (_, i) => String(i));

function octet(n: number): string {
  return octetText[n & 255] ?? '';
}

export function formatIPv4(n: number): string {
  return octet(n >>> 24) + '.' + octet(n >>> 16) + '.' + octet(n >>> 8) + '.' + octet(n);
}

/**
 * Four lanes in RFC 5952 form: lower case, no leading zeros, the first longest run of two or more zero
 * groups as "::". IPv4-mapped addresses keep the dotted quad (RFC 5952 §5), as the event sanitiser writes
 * them.
 */
export function formatIPv6(l0: number, l1: number, l2: number, l3: number): string {
  if (l0 === 0 && l1 === 0 && l2 === 0xffff) return `::ffff:${formatIPv4(l3)}`;
  groups[0] = l0 >>> 16;
  groups[1] = l0;
  groups[2] = l1 >>> 16;
  groups[3] = l1;
  groups[4] = l2 >>> 16;
  groups[5] = l2;
  groups[6] = l3 >>> 16;
  groups[7] = l3;
  let bestStart = -1;
  let bestLength = 1;
  let runStart = -1;
  for (let k = 0; k < 8; k++) {
    if (group(k) !== 0) {
      runStart = -1;
      continue;
    }
    if (runStart < 0) runStart = k;
    if (k - runStart + 1 > bestLength) {
      bestLength = k - runStart + 1;
      bestStart = runStart;
    }
  }
  let out = '';
  for (let k = 0; k < 8;) {
    if (k === bestStart) {
      out += '::';
      k += bestLength;
      continue;
    }
    if (out !== '' && !out.endsWith(':')) out += ':';
    out += group(k).toString(16);
    k++;
  }
  return out;
}

/**
 * The prefix length of the largest CIDR block that holds `address` and lies inside [start, end]
 * (inclusive, IPv4). It is the block holding `address` in the range's minimal CIDR decomposition, since
 * aligned blocks either nest or do not meet.
 */
export function ipv4BlockPrefix(address: number, start: number, end: number): number {
  // No block is larger than the range: start from the longest prefix that size allows. Fitting is then
  // monotonic (if /p fits, every longer prefix fits), and one or two steps find the first that does.
  const size = end - start + 1;
  let prefix = size >= 2 ** 32 ? 0 : Math.clz32(size) + 1;
  for (; prefix < 32; prefix++) {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    if ((address & mask) >>> 0 >= start && (address | ~mask) >>> 0 <= end) break;
  }
  return prefix;
}

/** Scratch lanes for IPv6 block arithmetic. */
const blockStart = new Uint32Array(4);
const blockEnd = new Uint32Array(4);

/** Lanes a[ai..] compared with b[bi..]: negative, zero or positive. */
export function compareLanes(a: Uint32Array, ai: number, b: Uint32Array, bi: number): number {
  for (let k = 0; k < 4; k++) {
    const x = a[ai + k] ?? 0;
    const y = b[bi + k] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** As `ipv4BlockPrefix` for IPv6: `address` at `lanes[ai..]`, the range at `starts[ri..]` and `ends[ri..]`. */
export function ipv6BlockPrefix(
  address: Uint32Array,
  ai: number,
  starts: Uint32Array,
  ends: Uint32Array,
  ri: number,
): number {
  let low = 0;
  let high = 128;
  while (low < high) {
    const p = (low + high) >>> 1;
    for (let k = 0; k < 4; k++) {
      const bits = Math.min(Math.max(p - 32 * k, 0), 32);
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      const lane = address[ai + k] ?? 0;
      blockStart[k] = lane & mask;
      blockEnd[k] = lane | ~mask;
    }
    if (compareLanes(blockStart, 0, starts, ri) >= 0 && compareLanes(blockEnd, 0, ends, ri) <= 0) high = p;
    else low = p + 1;
  }
  return low;
}

/** The network of `prefix` bits holding the address in `lanes[ai..]`, as CIDR text. */
export function formatIPv6Network(lanes: Uint32Array, ai: number, prefix: number): string {
  const masked = [0, 0, 0, 0];
  for (let k = 0; k < 4; k++) {
    const bits = Math.min(Math.max(prefix - 32 * k, 0), 32);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    masked[k] = ((lanes[ai + k] ?? 0) & mask) >>> 0;
  }
  return `${formatIPv6(masked[0] ?? 0, masked[1] ?? 0, masked[2] ?? 0, masked[3] ?? 0)}/${prefix}`;
}

/** The network of `prefix` bits holding `address`, as CIDR text. */
export function formatIPv4Network(address: number, prefix: number): string {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return formatIPv4((address & mask) >>> 0) + '/' + String(prefix);
}
