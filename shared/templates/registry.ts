import registry from './registry.json' with { type: 'json' };

/**
 * The template registry (SPEC "Templates"): by the caller's template name, how each provider
 * carries it. Each provider validates and reads its own slice; a test validates the whole file
 * against every provider's schema, so a bad entry fails CI, not a send.
 */
export type TemplateRegistry = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** The registry bundled into the handlers. */
export const TEMPLATES: TemplateRegistry = registry;

/** A lookup of one provider's slice of a template: undefined when the template has none. */
export type TemplateLookup = (templateId: string) => {
  /** The template name is in the registry at all. */
  known: boolean;
  /** This provider's slice of it, unvalidated. */
  slice: unknown;
};

/** The lookup a provider receives, for its own name. */
export function templatesFor(
  provider: string,
  templates: TemplateRegistry = TEMPLATES,
): TemplateLookup {
  return (templateId) => {
    const entry = Object.hasOwn(templates, templateId) ? templates[templateId] : undefined;
    return {
      known: entry !== undefined,
      slice: entry && Object.hasOwn(entry, provider) ? entry[provider] : undefined,
    };
  };
}
