import type { Dispatcher } from 'undici';
import Agent from 'undici/lib/dispatcher/agent.js';

/** The part of an undici dispatcher the transport uses; tests may inject any undici dispatcher. */
export type HttpDispatcher = Pick<Dispatcher, 'dispatch'>;

export interface AgentOptions {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /**
   * Connections idle longer than this (wall clock) are not reused. Lambda freezes the process
   * between invocations: a server may close an idle connection meanwhile, and after the thaw the
   * close can be noticed only after a request was written into that socket, making its outcome
   * unknown. Starting afresh after a pause avoids that; bursts still reuse connections.
   */
  maxIdleMs: number;
  now?: () => number;
}

export interface KeepAliveAgent extends HttpDispatcher {
  close(): Promise<void>;
}

/**
 * A keep-alive connection pool built once per container, so warm invocations reuse the TLS
 * connection, replaced after a long pause (see `maxIdleMs`).
 */
export function createAgent(options: AgentOptions): KeepAliveAgent {
  const now = options.now ?? Date.now;
  const build = () =>
    new Agent({
      connect: { timeout: options.connectTimeoutMs },
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
      keepAliveTimeout: Math.min(options.maxIdleMs, 30_000),
      keepAliveMaxTimeout: 60_000,
    });
  let agent = build();
  let lastUsed = now();
  return {
    dispatch(opts, handler) {
      const at = now();
      if (at - lastUsed > options.maxIdleMs) {
        const stale = agent;
        agent = build();
        // close(), not destroy(): a request still in flight on it finishes normally.
        void stale.close().catch(() => {});
      }
      lastUsed = at;
      return agent.dispatch(opts, handler);
    },
    close: () => agent.close(),
  };
}
