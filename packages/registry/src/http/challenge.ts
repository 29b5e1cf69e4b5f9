/** A parsed `WWW-Authenticate` challenge (RFC 7235), as registries send it. */
export interface Challenge {
  /** Lowercased: `bearer` or `basic`. */
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

/**
 * Parses the challenges of a `WWW-Authenticate` value. Registries send one, but a header may
 * carry several (`Bearer realm=..., Basic realm=...`); parameter values may be quoted with
 * escapes or bare tokens.
 */
export function parseChallenges(value: string | undefined): Challenge[] {
  if (!value) return [];
  const challenges: Challenge[] = [];
  let rest = value.trim();
  let current: { scheme: string; params: Record<string, string> } | undefined;
  while (rest.length > 0) {
    rest = rest.replace(/^[\s,]+/, '');
    const word = TOKEN.exec(rest)?.[0];
    if (!word) break;
    const after = rest.slice(word.length).replace(/^\s+/, '');
    if (after.startsWith('=') && current) {
      let text = after.slice(1).replace(/^\s+/, '');
      let paramValue: string;
      if (text.startsWith('"')) {
        let i = 1;
        paramValue = '';
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\' && i + 1 < text.length) i++;
          paramValue += text[i];
          i++;
        }
        text = text.slice(i + 1);
      } else {
        // Lenient: some servers send unquoted URLs, which are not RFC tokens.
        paramValue = /^[^\s,]*/.exec(text)?.[0] ?? '';
        text = text.slice(paramValue.length);
      }
      current.params[word.toLowerCase()] = paramValue;
      rest = text;
    } else {
      current = { scheme: word.toLowerCase(), params: {} };
      challenges.push(current);
      rest = after;
    }
  }
  return challenges;
}

/** The challenge to answer: Bearer when offered, else Basic. */
export function pickChallenge(value: string | undefined): Challenge | undefined {
  const all = parseChallenges(value);
  return all.find((c) => c.scheme === 'bearer') ?? all.find((c) => c.scheme === 'basic');
}
