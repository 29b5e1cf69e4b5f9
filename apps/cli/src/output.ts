import type { Format } from './context.js';

export interface Column<Row> {
  header: string;
  value(row: Row): string;
}

/** Rows as a gcloud-style table (upper-case headers, space-padded), or the data as JSON / YAML. */
export async function render<Row>(
  format: Format,
  data: readonly Row[] | Row,
  columns?: Column<Row>[],
): Promise<string> {
  if (format === 'json') return `${JSON.stringify(data, null, 2)}\n`;
  if (format === 'yaml') return (await import('./yaml.js')).toYaml(data);
  if (!columns) return `${JSON.stringify(data, null, 2)}\n`;
  const rows: readonly Row[] = Array.isArray(data) ? data : [data as Row];
  const cells = [
    columns.map((column) => column.header),
    ...rows.map((row) => columns.map((column) => column.value(row))),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  return `${cells
    .map((line) =>
      line
        .map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

/** Key: value lines, for describe commands in table format. */
export function keyValues(entries: ReadonlyArray<[string, string | undefined]>): string {
  const width = Math.max(...entries.map(([key]) => key.length));
  return `${entries
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${value}`)
    .join('\n')}\n`;
}
