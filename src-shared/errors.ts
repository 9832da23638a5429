// Errors cross the contract as {code, message}. A code is stable and machine-readable;
// the message is for a person: it names the file or field and says what to do.
export type ErrorCode =
  | 'invalid-input'
  | 'not-found'
  | 'method-not-found'
  | 'no-project'
  | 'project-too-new'
  | 'not-a-folder'
  | 'busy'
  | 'read-only'
  | 'disk-full'
  | 'corrupt-project'
  | 'cancelled'
  | 'internal';

export class StudioError extends Error {
  override name = 'StudioError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface WireError {
  code: ErrorCode;
  message: string;
}

export function toWireError(err: unknown): WireError {
  if (err instanceof StudioError) return { code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message };
}
