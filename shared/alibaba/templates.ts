import * as z from 'zod/mini';
import { ConfigError } from '../errors.ts';
import { describeIssues } from '../http/issues.ts';

const SLOT = /\$\{(\d+)\}/g;
const SENDER_ID = /^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$|^\d{1,15}$/;

/** The slot numbers a text uses (`${1}`, `${2}`…), distinct and sorted. */
export function slotsOf(text: string): number[] {
  return [...new Set([...text.matchAll(SLOT)].map((m) => Number(m[1])))].sort((a, b) => a - b);
}

const mainland = z.strictObject({
  templateCode: z.string().check(z.regex(/^SMS_\d+$/)),
  signName: z.string().check(z.minLength(1), z.maxLength(100)),
  /** The template's variable names, in the order of the caller's positional `templateParas`. */
  params: z.array(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/))).check(
    z.refine((names) => new Set(names).size === names.length, {
      message: 'must not repeat a name',
    }),
  ),
});

const isPattern = (value: string) => {
  try {
    new RegExp(value, 'u');
    return true;
  } catch {
    return false;
  }
};

const international = z
  .strictObject({
    text: z.string().check(
      z.minLength(1),
      z.refine((text) => slotsOf(text).every((slot, i) => slot === i + 1), {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the registry's slot syntax, shown as is
        message: 'slots must be ${1}, ${2}… without gaps',
      }),
    ),
    /** Sender id: letters and digits up to 11, or digits up to 15. */
    from: z.optional(z.string().check(z.regex(SENDER_ID))),
    /**
     * One regular expression per slot that its value must match whole (`^[0-9]{4,8}$` for a
     * code). SendMessageToGlobe takes free text and approves nothing: without patterns a slot
     * would carry any text the caller likes.
     */
    patterns: z.optional(
      z.array(z.string().check(z.refine(isPattern, 'must be a regular expression'))),
    ),
  })
  .check(
    z.refine(
      (half) => half.patterns === undefined || half.patterns.length === slotsOf(half.text).length,
      {
        message: 'patterns must give one pattern per slot',
        path: ['patterns'],
      },
    ),
  );

/**
 * A value no free-text slot takes without an explicit pattern: a link, as Alibaba's mainland
 * templates refuse (`isv.PARAM_NOT_SUPPORT_URL`). Keeps a code template from carrying phishing.
 */
const LINK =
  /(?:[a-z][a-z0-9+.-]*:\/\/|www\.|\b[a-z0-9-]+\.(?:com|net|org|io|cn|info|xyz|top|link|ly|me)\b)/iu;

/** Why a value cannot fill slot `index` of an international text; undefined when it can. */
export function slotProblem(
  template: InternationalTemplate,
  index: number,
  value: string,
): string | undefined {
  const pattern = template.patterns?.[index];
  if (pattern !== undefined) {
    return new RegExp(pattern, 'u').test(value) ? undefined : `must match ${pattern}`;
  }
  return LINK.test(value) ? 'must not contain a link' : undefined;
}

/** Alibaba's slice of one template registry entry; either half may be missing, not both. */
export const alibabaTemplateSchema = z
  .strictObject({ mainland: z.optional(mainland), international: z.optional(international) })
  .check(
    z.refine((entry) => entry.mainland !== undefined || entry.international !== undefined, {
      message: 'needs mainland, international or both',
    }),
  );

/** A validated registry slice, and its halves. */
export type AlibabaTemplate = z.infer<typeof alibabaTemplateSchema>;
export type MainlandTemplate = NonNullable<AlibabaTemplate['mainland']>;
export type InternationalTemplate = NonNullable<AlibabaTemplate['international']>;

/** Validates a registry slice; a broken one is the deployment's fault, named without values. */
export function parseAlibabaTemplate(templateId: string, raw: unknown): AlibabaTemplate {
  const result = alibabaTemplateSchema.safeParse(raw);
  if (result.success) return result.data;
  const fields = describeIssues(result.error.issues).map((d) => `${d.path} ${d.message}`);
  throw new ConfigError(
    `template ${templateId} has an invalid alibaba entry: ${fields.join('; ')}`,
  );
}

/** How many positional parameters a half takes. */
export function paramCount(half: MainlandTemplate | InternationalTemplate): number {
  return 'params' in half ? half.params.length : slotsOf(half.text).length;
}

/** Positional `templateParas` → the JSON object of `TemplateParam` (every value a string). */
export function mainlandParams(
  template: MainlandTemplate,
  paras: readonly string[] = [],
): Record<string, string> {
  if (paras.length !== template.params.length) {
    throw new RangeError(`expected ${template.params.length} parameters, got ${paras.length}`);
  }
  return Object.fromEntries(template.params.map((name, i) => [name, paras[i] as string]));
}

/** Renders `${n}` with the n-th parameter, in one pass so a value's own `${2}` stays literal. */
export function renderInternational(
  template: InternationalTemplate,
  paras: readonly string[] = [],
): string {
  const slots = slotsOf(template.text).length;
  if (paras.length !== slots) {
    throw new RangeError(`expected ${slots} parameters, got ${paras.length}`);
  }
  return template.text.replace(SLOT, (_all, n: string) => paras[Number(n) - 1] as string);
}
