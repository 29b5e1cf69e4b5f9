import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser';

/** Strict JSON with the position of the first error, which JSON.parse does not give on Node 20. */
export function parseJsonObject(text: string): { value: Record<string, unknown> } | { error: string } {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { disallowComments: true, allowTrailingComma: false });
  const first = errors[0];
  if (first) {
    const before = text.slice(0, first.offset);
    const line = before.split('\n').length;
    const column = first.offset - before.lastIndexOf('\n');
    return { error: `line ${line}, column ${column}: ${printParseErrorCode(first.error)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { error: 'line 1, column 1: the top level must be a JSON object' };
  }
  return { value: value as Record<string, unknown> };
}
