import type { WorkerErrorCode } from './error-codes.js';

/**
 * One error base class for the whole worker. Every error that crosses a module boundary carries a
 * stable, upper-snake `code` that callers (the API, the host, metrics) switch on; the message is for
 * humans and may change. The codes are a closed union per area (src/error-codes.ts); a subclass
 * with codes of its own (BackendError, HttpError) names them as `C`.
 */
export class WorkerError<C extends string = WorkerErrorCode> extends Error {
  readonly code: C;
  readonly details: Record<string, unknown> | undefined;

  // NoInfer: `new WorkerError(someString)` must not widen C to string; subclasses name C.
  constructor(code: NoInfer<C>, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WorkerError';
    this.code = code;
    this.details = options.details;
  }

  /** Plain object form, safe to send over IPC or in an API error envelope. */
  toJSON(): { code: C; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** Configuration could not be parsed; the message is the one line start-up prints. */
export class ConfigError extends WorkerError {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super('CONFIG_INVALID', message, { details: { variable } });
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/** Best-effort code extraction from anything thrown (Node system errors included). */
export function errorCode(err: unknown): string {
  if (err instanceof WorkerError) return err.code;
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    return (err as { code: string }).code;
  }
  return 'INTERNAL';
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
