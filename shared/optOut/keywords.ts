/**
 * Reply keywords (SPEC "Abuse controls"): the carriers' and CTIA's STOP words, and the Chinese
 * carriers' T, TD, R and 退订. Only a reply that is exactly one of them counts: "stop please" or
 * "STOP." is a conversation, not an instruction, and is left alone.
 */
const OPT_OUT = new Set([
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'END',
  'QUIT',
  'CANCEL',
  'OPTOUT',
  'T',
  'TD',
  'R',
  '退订',
]);
const OPT_IN = new Set(['START', 'UNSTOP']);

/**
 * Spaces of any script (the ideographic U+3000 a Chinese keyboard types), and the invisible
 * format characters (zero-width space, BOM, direction marks) phones leave at the edges.
 */
const EDGES = /^[\p{White_Space}\p{Cf}]+|[\p{White_Space}\p{Cf}]+$/gu;

/** What a reply asks for: `out` (a STOP word), `in` (START, UNSTOP) or undefined (anything else). */
export function optOutIntent(body: string): 'out' | 'in' | undefined {
  // NFKC first: a full-width ＳＴＯＰ from an East Asian keyboard is STOP.
  const word = body.normalize('NFKC').replace(EDGES, '').toUpperCase();
  if (OPT_OUT.has(word)) return 'out';
  if (OPT_IN.has(word)) return 'in';
  return undefined;
}
