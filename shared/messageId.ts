import { createHash, randomUUID } from 'node:crypto';

/**
 * The messageId of a message the provider accepted, derived from the provider's own id: a delivery
 * report (which carries only the provider's id) then addresses the message's record directly, with
 * no index to wait for and no lookup to race. Formatted as a UUID (version 8, name-based).
 */
export function messageIdFor(provider: string, providerMessageId: string): string {
  const bytes = createHash('sha256')
    .update(`${provider}:${providerMessageId}`, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A fresh id for a message the provider did not (or may not have) accepted. */
export function newMessageId(): string {
  return randomUUID();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for the shape of every messageId this service hands out. */
export function isMessageId(value: string): boolean {
  return UUID.test(value);
}
