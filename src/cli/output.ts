// What `bun run admin` prints: aligned tables and short lines for people (colour only on a
// terminal), or one JSON document with --json for scripts.
import Table from "cli-table3";
import { createColors } from "picocolors";

export interface Column<Row> {
  header: string;
  value: (row: Row) => unknown;
}

export interface Output {
  json: boolean;
  colors: ReturnType<typeof createColors>;
  /** Plain lines for people; nothing in --json mode. */
  line(text?: string): void;
  /** The command's result: JSON in --json mode, else the `human` rendering. */
  result(data: unknown, human: () => void): void;
  table<Row>(rows: Row[], columns: Column<Row>[]): void;
}

export function createOutput(json: boolean, stream: NodeJS.WriteStream = process.stdout): Output {
  const colors = createColors(Boolean(stream.isTTY) && !process.env.NO_COLOR);
  const write = (text: string) => stream.write(`${text}\n`);
  return {
    json,
    colors,
    line: (text = "") => {
      if (!json) write(text);
    },
    result: (data, human) => (json ? write(JSON.stringify(data, null, 2)) : human()),
    table: (rows, columns) => {
      if (rows.length === 0) return write(colors.dim("(none)"));
      const table = new Table({
        head: columns.map((c) => colors.bold(c.header)),
        style: { head: [], border: [], compact: true, "padding-left": 0, "padding-right": 2 },
        chars: BORDERLESS,
      });
      for (const row of rows) table.push(columns.map((c) => show(c.value(row))));
      write(table.toString().replace(/ +$/gm, ""));
    },
  };
}

// Plain aligned columns, no box drawing: easy to read and to grep.
const BORDERLESS = {
  top: "",
  "top-mid": "",
  "top-left": "",
  "top-right": "",
  bottom: "",
  "bottom-mid": "",
  "bottom-left": "",
  "bottom-right": "",
  left: "",
  "left-mid": "",
  mid: "",
  "mid-mid": "",
  right: "",
  "right-mid": "",
  middle: "",
};

export function show(value: unknown): string {
  if (value === null || value === undefined || value === "") return "-";
  return String(value);
}

/** Unix ms → "2031-01-31 12:00" (UTC). */
export function time(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "-";
  return new Date(ms).toISOString().slice(0, 16).replace("T", " ");
}

/** Key: value lines, aligned. */
export function fields(out: Output, pairs: [string, unknown][]): void {
  const width = Math.max(...pairs.map(([k]) => k.length));
  for (const [key, value] of pairs) out.line(`${out.colors.dim(key.padEnd(width))}  ${show(value)}`);
}

/** A product as operators read it: "Acme Pro (acme-pro)", or the id alone when it has no name. */
export function productLabel(productId: string, productName: string | null | undefined): string {
  return productName ? `${productName} (${productId})` : productId;
}
