import * as z from 'zod/mini';

/** Huawei's slice of a registry template: the template id of the application (+ signature). */
export const huaweiTemplateSchema = z.strictObject({
  templateId: z.string().check(z.regex(/^[\x21-\x7e]{1,32}$/)),
  /** For Chinese-mainland universal templates. */
  signature: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
});
