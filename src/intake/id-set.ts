/**
 * The ids seen in one batch, to tell a repeat from a new one. Each id comes with a small integer `key` (its
 * first 28 bits) that an open-addressing table of typed arrays is probed with; the ids themselves only settle
 * a shared key. The table is handed from one batch to the next: a Map of 5,000 keys grew its table by
 * doubling in every batch, each time in new memory (14 % of the page faults of parsing and preparing
 * 1,000,000 `scan_http` rows in one thread).
 */

// Tables of finished sets, for the next ones.
const spareTables: Int32Array[] = [];
const keepTables = 2;
const initialSlots = 1 << 14;

export class IdSet {
  /** Per slot: the key, then 1 + the index of its id in `#ids` (0 for an empty slot). */
  #table: Int32Array;
  #mask: number;
  readonly #ids: string[] = [];

  constructor() {
    this.#table = takeTable();
    this.#mask = this.#table.length / 2 - 1;
  }

  /** Whether `id` (whose key is `key`) was added before; if not, it is now. */
  seenBefore(key: number, id: string): boolean {
    const table = this.#table;
    const mask = this.#mask;
    let slot = key & mask;
    for (;;) {
      const entry = table[2 * slot + 1] as number;
      if (entry === 0) break;
      if (table[2 * slot] === key && this.#ids[entry - 1] === id) return true;
      slot = (slot + 1) & mask;
    }
    this.#ids.push(id);
    table[2 * slot] = key;
    table[2 * slot + 1] = this.#ids.length;
    // At most half full, so that a probe ends soon.
    if (this.#ids.length * 2 > mask + 1) this.#grow();
    return false;
  }

  /** Gives the table to the next set; this one is empty from now on. */
  release(): void {
    const table = this.#table;
    if (table.length <= 2) return;
    if (spareTables.length < keepTables) spareTables.push(table);
    this.#table = new Int32Array(2);
    this.#mask = 0;
    this.#ids.length = 0;
  }

  #grow(): void {
    const old = this.#table;
    const table = new Int32Array(old.length * 2);
    const mask = table.length / 2 - 1;
    for (let at = 0; at < old.length; at += 2) {
      const entry = old[at + 1] as number;
      if (entry === 0) continue;
      const key = old[at] as number;
      let slot = key & mask;
      while (table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      table[2 * slot] = key;
      table[2 * slot + 1] = entry;
    }
    this.#table = table;
    this.#mask = mask;
  }
}

function takeTable(): Int32Array {
  const spare = spareTables.pop();
  if (spare === undefined) return new Int32Array(2 * initialSlots);
  spare.fill(0);
  return spare;
}
