/** GSM 03.38 basic set (one septet each) and its extension table (two septets each). */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';

/**
 * Parts of an international SMS: GSM-7 text is 160 septets in one part and 153 per part beyond;
 * anything else is UCS-2, 70 characters in one part and 67 per part beyond.
 */
export function globeParts(text: string): number {
  let septets = 0;
  for (const c of text) {
    if (GSM_BASIC.includes(c)) septets += 1;
    else if (GSM_EXTENDED.includes(c)) septets += 2;
    else return text.length <= 70 ? 1 : Math.ceil(text.length / 67); // UTF-16 code units
  }
  return septets <= 160 ? 1 : Math.ceil(septets / 153);
}

/** Mainland rule (Alibaba): up to 70 characters is one part, longer ones 67 per part. */
export function mainlandParts(text: string): number {
  const length = [...text].length;
  return length <= 70 ? 1 : Math.ceil(length / 67);
}
