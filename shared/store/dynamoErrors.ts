import { type AppError, isAppError, StoreError } from '../errors.ts';

/** A conditional write or delete whose condition did not hold (not a fault). */
export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}

/**
 * What a DynamoDB fault becomes: `store_unavailable` (503), saying what was being done and the
 * SDK error's name, never its message (which may quote keys). One already made is kept.
 */
export function storeError(what: string, error: unknown): AppError {
  if (isAppError(error) && error.code === 'store_unavailable') return error;
  const name = (error as { name?: unknown } | null)?.name;
  return new StoreError(`${what} failed (${typeof name === 'string' ? name : 'error'})`, {
    cause: error,
  });
}

/**
 * Runs one conditional write or delete: true when it was applied, false when its condition did
 * not hold (not a fault); anything else is `storeError(what)`.
 */
export async function applied(write: () => Promise<unknown>, what: string): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw storeError(what, error);
  }
}
