/**
 * RFC 4180 CSV for directory files, which are small (a CERT's own directory, not a feed): the whole text
 * in, rows with the line each starts on out. Feed-sized CSV is intake's streaming reader.
 */
export interface CsvRow {
  /** 1-based line where the row starts (a quoted field may span lines). */
  line: number;
  cells: string[];
}

/** Rows of `text`; an unterminated quote is reported with the line where its row started. */
export function parseCsv(text: string): { rows: CsvRow[]; problem?: { line: number; reason: string } } {
  const rows: CsvRow[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let rowLine = 1;
  let quoted = false;
  let cellStarted = false;
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const endRow = (): void => {
    cells.push(cell);
    // A line with nothing on it is not a row.
    if (!(cells.length === 1 && cells[0] === '' && !cellStarted)) rows.push({ line: rowLine, cells });
    cells = [];
    cell = '';
    cellStarted = false;
  };
  for (let i = 0; i < input.length; i += 1) {
    const c = input.charAt(i);
    if (quoted) {
      if (c === '"') {
        if (input.charAt(i + 1) === '"') {
          cell += '"';
          i += 1;
        } else quoted = false;
      } else {
        if (c === '\n') line += 1;
        cell += c;
      }
    } else if (c === '"' && cell === '') {
      quoted = true;
      cellStarted = true;
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
      cellStarted = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && input.charAt(i + 1) === '\n') i += 1;
      endRow();
      line += 1;
      rowLine = line;
    } else cell += c;
  }
  if (quoted) return { rows, problem: { line: rowLine, reason: 'a quoted field is not closed' } };
  if (cell !== '' || cells.length > 0 || cellStarted) endRow();
  return { rows };
}

/** One CSV line (CRLF-free: LF line ends); a cell with a comma, quote or line break is quoted. */
export function formatCsvRow(cells: readonly string[]): string {
  return `${cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(',')}\n`;
}
