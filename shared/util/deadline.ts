/** The time an invocation has left: an abort signal plus the absolute end, for retry decisions. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Epoch milliseconds at which the work must have stopped. */
  readonly at: number;
  remainingMs(): number;
}

/** A deadline `ms` from now. */
export function deadlineIn(ms: number, now: () => number = Date.now): Deadline {
  const at = now() + ms;
  return {
    signal:
      ms <= 0
        ? AbortSignal.abort(new DOMException('deadline reached', 'TimeoutError'))
        : AbortSignal.timeout(ms),
    at,
    remainingMs: () => Math.max(0, at - now()),
  };
}

/**
 * The Lambda deadline less a reserve for recording results and answering, so the handler always
 * answers before Lambda kills it.
 */
export function deadlineFromLambda(
  context: { getRemainingTimeInMillis(): number },
  reserveMs: number,
): Deadline {
  return deadlineIn(Math.max(0, context.getRemainingTimeInMillis() - reserveMs));
}

/**
 * `work`'s value if it settles before `deadline` ends, else `{ done: false }` at once (the work
 * goes on unobserved; a rejection after that is ignored).
 */
export async function beforeDeadline<T>(
  work: Promise<T>,
  deadline: Deadline,
): Promise<{ done: true; value: T } | { done: false }> {
  if (deadline.signal.aborted) {
    work.catch(() => undefined);
    return { done: false };
  }
  let stop: (() => void) | undefined;
  const ended = new Promise<{ done: false }>((resolve) => {
    stop = () => resolve({ done: false });
    deadline.signal.addEventListener('abort', stop, { once: true });
  });
  try {
    return await Promise.race([work.then((value) => ({ done: true as const, value })), ended]);
  } finally {
    if (stop) deadline.signal.removeEventListener('abort', stop);
    work.catch(() => undefined);
  }
}
