/** How much of an input an error message shows: enough to recognise it, never enough to flood a log. */
const MAX_SHOWN_CHARACTERS = 200;

/**
 * Quotes `text` for a message: control, format and bidi characters and lone surrogates are escaped
 * (a reference pasted from a terminal or a web page must not rewrite the terminal it is printed
 * on), and anything past `max` characters is cut, with the full length said instead.
 */
export function quote(text: string, max: number = MAX_SHOWN_CHARACTERS): string {
  const shown = Math.min(text.length, max);
  // Most text needs no escaping: its clean head is copied whole rather than character by character.
  let clean = 0;
  while (clean < shown && !needsEscape(text.charCodeAt(clean))) clean++;
  let out = `"${text.slice(0, clean)}`;
  for (let i = clean; i < shown; i++) {
    const unit = text.charCodeAt(i);
    if (isHighSurrogate(unit) && i + 1 < shown && isLowSurrogate(text.charCodeAt(i + 1))) {
      out += text.slice(i, i + 2);
      i++;
      continue;
    }
    out += needsEscape(unit) ? escapeUnit(unit) : String.fromCharCode(unit);
  }
  out += '"';
  return text.length > shown ? `${out}… (${text.length} characters, the first ${shown} shown)` : out;
}

/** "1 character", "2 characters". */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Names one character of `text` for a message: `"$"`, or `"\u0000"` for the invisible ones. */
export function describeCharAt(text: string, index: number): string {
  const codePoint = text.codePointAt(index) ?? 0;
  return quote(String.fromCodePoint(codePoint));
}

function needsEscape(unit: number): boolean {
  return (
    unit === 0x22 ||
    unit === 0x5c ||
    unit < 0x20 ||
    (unit >= 0x7f && unit <= 0x9f) ||
    (unit >= 0xd800 && unit <= 0xdfff) ||
    isInvisibleFormatCharacter(unit)
  );
}

function escapeUnit(unit: number): string {
  switch (unit) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return '\\\\';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
  }
  return `\\u${unit.toString(16).padStart(4, '0')}`;
}

/** Zero-width, bidi-override and line/paragraph separators: they hide or reorder what a reader sees. */
function isInvisibleFormatCharacter(unit: number): boolean {
  return (
    unit === 0xad ||
    unit === 0x061c ||
    unit === 0x180e ||
    (unit >= 0x200b && unit <= 0x200f) ||
    (unit >= 0x2028 && unit <= 0x202e) ||
    (unit >= 0x2060 && unit <= 0x206f) ||
    unit === 0xfeff ||
    (unit >= 0xfff9 && unit <= 0xfffb)
  );
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
