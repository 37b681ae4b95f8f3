/**
 * Traffic Light Protocol 2.0 (FIRST, https://www.first.org/tlp/), ordered from the widest audience to the
 * narrowest: CLEAR (public), GREEN (the community), AMBER (the organisation and its clients, need-to-know),
 * AMBER+STRICT (the organisation only), RED (named recipients only).
 */
export const tlpLevels = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;

export type Tlp = (typeof tlpLevels)[number];

const rank: Readonly<Record<Tlp, number>> = { CLEAR: 0, GREEN: 1, AMBER: 2, 'AMBER+STRICT': 3, RED: 4 };

// TLP 1.0 names that partners (IntelMQ, CSAF 2.0, MISP) still send; IntelMQ 2.3.2 also accepts YELLOW for AMBER.
const aliases: ReadonlyMap<string, Tlp> = new Map<string, Tlp>([
  ['CLEAR', 'CLEAR'],
  ['WHITE', 'CLEAR'],
  ['GREEN', 'GREEN'],
  ['AMBER', 'AMBER'],
  ['YELLOW', 'AMBER'],
  ['AMBER+STRICT', 'AMBER+STRICT'],
  ['RED', 'RED'],
]);

const prefix = /^TLP\s*:?\s*/i;

/**
 * Reads a TLP label as people and feeds write it: `TLP:AMBER+STRICT`, `tlp: red`, `amber`, legacy `WHITE`
 * (→ CLEAR). Case-insensitive; `undefined` when it is no TLP level.
 */
export function parseTlp(value: string): Tlp | undefined {
  const name = value.trim().replace(prefix, '').toUpperCase();
  return aliases.get(name);
}

/**
 * The most restrictive of the levels: derived data carries the narrowest label of its inputs (FIRST TLP 2.0).
 * With no levels at all nothing is known about the data, so the answer fails closed: RED.
 */
export function narrowestTlp(...levels: Tlp[]): Tlp {
  if (levels.length === 0) return 'RED';
  let narrowest: Tlp = 'CLEAR';
  for (const level of levels) if (rank[level] > rank[narrowest]) narrowest = level;
  return narrowest;
}

/** Whether `a` allows a wider audience than `b` (CLEAR is wider than GREEN). */
export function isWiderThan(a: Tlp, b: Tlp): boolean {
  return rank[a] < rank[b];
}

/** The label as FIRST TLP 2.0 writes it in mail subjects and documents: `TLP:AMBER+STRICT`. */
export function tlpLabel(t: Tlp): string {
  return `TLP:${t}`;
}

/**
 * The level for IntelMQ (and CSAF 2.0), which know only TLP 1.0. Lossy: AMBER+STRICT becomes AMBER, so a
 * partner receiving it no longer sees that sharing is limited to its own organisation.
 */
export function toIntelmqTlp(t: Tlp): 'WHITE' | 'GREEN' | 'AMBER' | 'RED' {
  switch (t) {
    case 'CLEAR':
      return 'WHITE';
    case 'GREEN':
      return 'GREEN';
    case 'AMBER':
    case 'AMBER+STRICT':
      return 'AMBER';
    case 'RED':
      return 'RED';
  }
}
