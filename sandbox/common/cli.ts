/** Prints the message (and the usage, when given) to stderr and exits with status 2. */
export function fail(message: string, usage = ''): never {
  process.stderr.write(`${message}\n${usage}`);
  process.exit(2);
}

/** Parses a non-negative number flag; undefined when absent, exits on nonsense. */
export function nonNegative(name: string, value: string | undefined, usage: string) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n >= 0) || value.trim() === '') fail(`invalid --${name}: ${value}`, usage);
  return n;
}

/** Parses `--port` (0 for any free port). */
export function portFlag(value: string, usage: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || value.trim() === '') {
    fail(`invalid --port: ${value}`, usage);
  }
  return port;
}

/** Closes the sandbox on SIGINT/SIGTERM, then exits (0, or 1 when closing failed). */
export function stopOnSignals(sandbox: { close(): Promise<void> }): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping the sandbox\n`);
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
