import { type Config, parseConfig } from '../config.ts';

let config: Config | undefined;

/** The configuration, parsed once per container (a bad one throws ConfigError on every call). */
export function appConfig(): Config {
  config ??= parseConfig(process.env);
  return config;
}
