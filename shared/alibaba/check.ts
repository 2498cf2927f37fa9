import { AppError, type ErrorDetail } from '../errors.ts';
import { isMainland } from './numbers.ts';
import {
  type AlibabaTemplate,
  type InternationalTemplate,
  type MainlandTemplate,
  paramCount,
  parseAlibabaTemplate,
  slotProblem,
} from './templates.ts';

/** Alibaba's slices of the template registry, validated once per template name. */
export interface TemplateLookup {
  get(templateId: string): AlibabaTemplate | undefined;
}

/** Wraps the registry's raw lookup; a malformed slice throws ConfigError (a deployment fault). */
export function createTemplateLookup(raw: (templateId: string) => unknown): TemplateLookup {
  const cache = new Map<string, AlibabaTemplate | undefined>();
  return {
    get(templateId) {
      if (!cache.has(templateId)) {
        const slice = raw(templateId);
        cache.set(
          templateId,
          slice === undefined ? undefined : parseAlibabaTemplate(templateId, slice),
        );
      }
      return cache.get(templateId);
    },
  };
}

interface Checked {
  to: readonly string[];
  templateId: string;
  templateParas?: readonly string[] | undefined;
}

/**
 * Why Alibaba cannot carry this template to these numbers: +86 numbers need the mainland half,
 * any other the international half, and each half its own number of parameters.
 */
export function checkSms(templates: TemplateLookup, sms: Checked, path: string): ErrorDetail[] {
  const template = templates.get(sms.templateId);
  const halves: Array<
    ['mainland' | 'international', MainlandTemplate | InternationalTemplate | undefined]
  > = [];
  if (sms.to.some(isMainland)) halves.push(['mainland', template?.mainland]);
  if (sms.to.some((to) => !isMainland(to))) halves.push(['international', template?.international]);
  const notAvailable = (message: string): ErrorDetail => ({
    path: `${path}.templateId`,
    message,
    code: 'template_not_available',
  });
  if (!template)
    return [notAvailable(`template ${sms.templateId} is not in the registry for Alibaba`)];
  const details: ErrorDetail[] = [];
  for (const [name, half] of halves) {
    if (!half) {
      details.push(notAvailable(`template ${sms.templateId} has no Alibaba ${name} version`));
      continue;
    }
    const expected = paramCount(half);
    const given = sms.templateParas?.length ?? 0;
    if (given !== expected) {
      details.push({
        path: `${path}.templateParas`,
        message: `template ${sms.templateId} takes ${expected} parameter${expected === 1 ? '' : 's'} on Alibaba ${name}, got ${given}`,
      });
    } else if (name === 'international') {
      (sms.templateParas ?? []).forEach((value, index) => {
        const problem = slotProblem(half as InternationalTemplate, index, value);
        if (problem) details.push({ path: `${path}.templateParas[${index}]`, message: problem });
      });
    }
  }
  return details;
}

/** Throws what `checkSms` found: the use cases check first, so this guards against misuse. */
export function assertSendable(templates: TemplateLookup, sms: Checked, path: string): void {
  const details = checkSms(templates, sms, path);
  if (details.length === 0) return;
  const code = details.some((d) => d.code === 'template_not_available')
    ? 'template_not_available'
    : 'invalid_request';
  throw new AppError(code, details[0]?.message ?? 'cannot send this template', { details });
}
