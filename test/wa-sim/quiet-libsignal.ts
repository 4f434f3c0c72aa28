/**
 * Side effect on import: libsignal (a Baileys dependency) `console.info`s whole Signal session
 * records when it opens, closes or prunes one — "Closing session: SessionEntry {… privKey: <Buffer
 * …>}" — ratchet private keys, root and chain keys. Session hosts route `console` through a
 * redacting logger (session-host/log/console-guard.ts); the simulator's contacts run libsignal
 * inside the test process (and the test client in its own), where those lines went to stdout and
 * into CI logs. Test keys are throwaway, but a log with private keys is still a leak, and it
 * drowns the test output: these lines (and only these) are dropped here.
 */
const SESSION_DUMPS = /^(Closing session|Opening session|Removing old closed session|Session already (closed|open)|Migrating session to)\b/;

for (const method of ['info', 'warn', 'log'] as const) {
  const original = console[method];
  if ((original as { quietLibsignal?: true }).quietLibsignal) continue; // imported twice: wrapped once
  const quiet = Object.assign((...args: unknown[]): void => {
    if (typeof args[0] === 'string' && SESSION_DUMPS.test(args[0])) return;
    original.apply(console, args);
  }, { quietLibsignal: true as const });
  console[method] = quiet;
}

export {};
