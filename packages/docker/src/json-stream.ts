/**
 * Splits the engine's streamed JSON (one object per line for dockerd; objects may also arrive
 * back to back or split across chunks) into objects, with a brace scanner that respects
 * strings, so no line framing is assumed.
 */
export class JsonObjectSplitter {
  #buffer = '';
  #depth = 0;
  #inString = false;
  #escaped = false;
  #start = -1;
  #scanned = 0;

  /** Feeds a chunk; returns the complete objects' texts it finished. */
  push(chunk: string): string[] {
    this.#buffer += chunk;
    const out: string[] = [];
    for (let i = this.#scanned; i < this.#buffer.length; i++) {
      const c = this.#buffer[i];
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (c === '\\') this.#escaped = true;
        else if (c === '"') this.#inString = false;
        continue;
      }
      if (c === '"') this.#inString = true;
      else if (c === '{') {
        if (this.#depth === 0) this.#start = i;
        this.#depth++;
      } else if (c === '}' && this.#depth > 0) {
        this.#depth--;
        if (this.#depth === 0) out.push(this.#buffer.slice(this.#start, i + 1));
      }
    }
    if (this.#depth === 0) {
      this.#buffer = '';
      this.#scanned = 0;
    } else {
      // Keep only the unfinished object.
      this.#buffer = this.#buffer.slice(this.#start);
      this.#scanned = this.#buffer.length;
      this.#start = 0;
    }
    return out;
  }

  /** Text of an object left unfinished when the stream ended (a cut connection), if any. */
  get pending(): string {
    return this.#depth > 0 ? this.#buffer : '';
  }
}
