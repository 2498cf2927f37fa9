import { missingParameter, type Refused } from './replies.ts';

/**
 * A request's RPC parameters: the query, then (for a form body) the body's fields; the first
 * occurrence of a name wins. Required ones that are absent or empty end the request the way POP
 * does (`Missing<Name>`, HTTP 400).
 */
export class Params {
  readonly #values = new Map<string, string>();
  readonly #host: string;

  constructor(pairs: Iterable<readonly [string, string]>, host: string) {
    for (const [name, value] of pairs) if (!this.#values.has(name)) this.#values.set(name, value);
    this.#host = host;
  }

  get(name: string): string | undefined {
    return this.#values.get(name);
  }

  /** The value, or throws `Missing<Name>` when it is absent or empty. */
  required(name: string): string {
    const value = this.#values.get(name);
    if (value === undefined || value === '') throw this.missing(name);
    return value;
  }

  /** An optional value, `undefined` when absent or empty (POP treats both alike). */
  optional(name: string): string | undefined {
    const value = this.#values.get(name);
    return value === '' ? undefined : value;
  }

  missing(name: string): Refused {
    return missingParameter(name, this.#host);
  }
}

/** JSON.parse that answers undefined instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A JSON array of strings, or undefined. */
export function stringArray(text: string): string[] | undefined {
  const value = parseJson(text);
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
    ? value
    : undefined;
}

/** A JSON object whose values are all strings (Alibaba refuses numbers: codes keep zeros). */
export function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((item) => typeof item === 'string')
  );
}
