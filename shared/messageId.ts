import { createHash, randomBytes, randomUUID } from 'node:crypto';

function uuidOf(name: string): string {
  const bytes = createHash('sha256').update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id of the partition where reports that carry only a provider's id are kept (the layout
 * before correlations, and receipts that come back without one), derived from that id. Formatted
 * as a UUID (version 8, name-based); the messages recorded before correlations have this id.
 */
export function messageIdFor(provider: string, providerMessageId: string): string {
  return uuidOf(`${provider}:${providerMessageId}`);
}

/**
 * The correlation of one provider call: random and unguessable, chosen before anything is sent,
 * carried by the request (Huawei: the callback URL; Alibaba: `OutId`/`TaskId`) and brought back
 * by its reports. 32 lower-case hex digits after `sr`, so a reference is never mistaken for one.
 */
export function newCorrelation(): string {
  return `sr${randomBytes(16).toString('hex')}`;
}

const CORRELATION = /^sr[0-9a-f]{32}$/;

/** True for the shape of a correlation this service hands out. */
export function isCorrelation(value: string | undefined): value is string {
  return value !== undefined && CORRELATION.test(value);
}

/**
 * The messageId of the message to `to` in the provider call `correlation`, fixed before the call:
 * a report that brings both back finds its message with no lookup, whether or not the submit's
 * answer ever came. A number is at most once in one call, so the id is unique.
 */
export function messageIdOf(correlation: string, to: string): string {
  return uuidOf(`corr:${correlation}:${to}`);
}

/** A fresh id for a message that never went to a provider (refused before any call). */
export function newMessageId(): string {
  return randomUUID();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for the shape of every messageId this service hands out. */
export function isMessageId(value: string): boolean {
  return UUID.test(value);
}
