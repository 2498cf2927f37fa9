/**
 * Remembers nonces per scope (an app key, an AccessKey ID) for a window, so a replayed request is
 * refused while its timestamp would still be accepted.
 */
export class NonceStore {
  readonly #windowMs: number;
  readonly #seen = new Map<string, number>();

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** Records the nonce; false when the same scope used it within the window. */
  claim(scope: string, nonce: string, now: Date): boolean {
    const at = now.getTime();
    this.#prune(at);
    const key = `${scope}\n${nonce}`;
    const expiresAt = this.#seen.get(key);
    if (expiresAt !== undefined && expiresAt > at) return false;
    // Re-inserted at the end, so the map stays in expiry order for #prune.
    this.#seen.delete(key);
    this.#seen.set(key, at + this.#windowMs);
    return true;
  }

  clear(): void {
    this.#seen.clear();
  }

  #prune(at: number): void {
    // Entries are inserted in time order with the same window, so the oldest expire first.
    for (const [key, expiresAt] of this.#seen) {
      if (expiresAt > at) break;
      this.#seen.delete(key);
    }
  }
}
