import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured logger per container. Log masked numbers only (`maskPhone`) and never a secret:
 * nothing that reaches this logger is filtered afterwards.
 */
export const logger = new Logger({ serviceName: 'sms-relay' });

/** The slice of the logger the core uses, so tests can pass a silent one. */
export type Log = Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
