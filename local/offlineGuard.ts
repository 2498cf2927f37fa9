/**
 * Preloaded (`node --import`) into the serverless-offline child of the local stack (local/offline.ts).
 * The parent holds the write end of this process's stdin and never writes: end-of-file means the
 * parent is gone, whatever the way it went (exit, crash, SIGKILL). serverless-offline is then told
 * to stop as if Ctrl-C'd (SIGTERM, which it handles), and forced out if it has not gone in 5 s, so
 * it never outlives the stack holding its ports.
 */
import { isMainThread } from 'node:worker_threads';

// serverless-offline runs each handler in a worker thread, which inherits --import: only the main
// thread watches.
if (isMainThread) {
  const stdin = process.stdin;
  stdin.on('data', () => {});
  stdin.once('end', () => {
    setTimeout(() => process.exit(1), 5_000).unref();
    process.kill(process.pid, 'SIGTERM');
  });
  stdin.once('error', () => process.kill(process.pid, 'SIGTERM'));
  // Reading stdin must not be what keeps the process alive.
  (stdin as unknown as { unref?: () => void }).unref?.();
}
