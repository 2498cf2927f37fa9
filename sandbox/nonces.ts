/** Remembers X-WSSE nonces per app key for a window, so a replayed token is refused. */
export class NonceStore {
  readonly #windowMs: number;
  readonly #seen = new Map<string, number>();

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** Records the nonce; false when the same app used it within the window. */
  claim(appKey: string, nonce: string, now: Date): boolean {
    const at = now.getTime();
    this.#prune(at);
    const key = `${appKey}\n${nonce}`;
    const expiresAt = this.#seen.get(key);
    if (expiresAt !== undefined && expiresAt > at) return false;
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
