/**
 * JSON as Python's `json` module writes it: besides standard JSON, bare `NaN`, `Infinity` and
 * `-Infinity`, and integers of any size. `JSON.parse` refuses the first and silently rounds the
 * second, so a value that may come from Python is read here: those become `NaN` / `±Infinity`
 * numbers and `bigint`s, never something else. Standard JSON takes the `JSON.parse` fast path.
 */
export function parsePythonJson(text: string): unknown {
  if (!/NaN|Infinity|\d{16}/.test(text)) return JSON.parse(text);
  const parser = new Parser(text);
  const value = parser.value();
  parser.end();
  return value;
}

/** Where a parsed value holds something JSON cannot carry (`NaN`, `Infinity`, an integer past 2^53), or `null`. */
export function findNonJson(value: unknown, path = '$'): string | null {
  if (typeof value === 'bigint') return `${path} is the integer ${value}, beyond 2^53, which a JavaScript number cannot hold exactly`;
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${path} is ${value}, which JSON cannot carry`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNonJson(value[i], `${path}[${i}]`);
      if (found !== null) return found;
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const found = findNonJson(item, `${path}.${key}`);
      if (found !== null) return found;
    }
  }
  return null;
}

class Parser {
  #at = 0;
  constructor(private readonly text: string) {}

  end(): void {
    this.#space();
    if (this.#at < this.text.length) this.#fail('unexpected text after the value');
  }

  value(): unknown {
    this.#space();
    const c = this.text[this.#at];
    if (c === '{') return this.#object();
    if (c === '[') return this.#array();
    if (c === '"') return this.#string();
    for (const [word, value] of WORDS) {
      if (this.text.startsWith(word, this.#at)) {
        this.#at += word.length;
        return value;
      }
    }
    return this.#number();
  }

  #object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.#at++;
    this.#space();
    if (this.text[this.#at] === '}') return this.#at++, out;
    for (;;) {
      this.#space();
      if (this.text[this.#at] !== '"') this.#fail('expected a string key');
      const key = this.#string();
      this.#space();
      if (this.text[this.#at++] !== ':') this.#fail("expected ':'");
      Object.defineProperty(out, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
      this.#space();
      const next = this.text[this.#at++];
      if (next === '}') return out;
      if (next !== ',') this.#fail("expected ',' or '}'");
    }
  }

  #array(): unknown[] {
    const out: unknown[] = [];
    this.#at++;
    this.#space();
    if (this.text[this.#at] === ']') return this.#at++, out;
    for (;;) {
      out.push(this.value());
      this.#space();
      const next = this.text[this.#at++];
      if (next === ']') return out;
      if (next !== ',') this.#fail("expected ',' or ']'");
    }
  }

  #string(): string {
    const start = this.#at;
    for (let i = start + 1; i < this.text.length; i++) {
      const c = this.text[i];
      if (c === '\\') i++;
      else if (c === '"') {
        this.#at = i + 1;
        return JSON.parse(this.text.slice(start, i + 1)) as string;
      }
    }
    return this.#fail('unterminated string');
  }

  #number(): number | bigint {
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.#at, this.#at + 400));
    if (m === null) return this.#fail('unexpected character');
    this.#at += m[0].length;
    const n = Number(m[0]);
    if (m[1] === undefined && m[2] === undefined && !Number.isSafeInteger(n)) return BigInt(m[0]);
    return n;
  }

  #space(): void {
    while (/\s/.test(this.text[this.#at] ?? '')) this.#at++;
  }

  #fail(what: string): never {
    throw new SyntaxError(`${what} at position ${this.#at}`);
  }
}

const WORDS: readonly (readonly [string, unknown])[] = [
  ['true', true],
  ['false', false],
  ['null', null],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
];
