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
  /** A path outside the open project, the model cache and what was chosen this session. */
  | 'path-not-allowed'
  /** Something only another door offers (the desktop's picker in a browser). */
  | 'unsupported'
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

/**
 * A StudioError crosses as it is: its message was written for the user. Anything else is
 * unexpected and its message may hold paths or file contents, so the door says what the
 * client reads instead (an id to quote, the detail kept in its log).
 */
export function toWireError(err: unknown, internal: (err: unknown) => string): WireError {
  if (err instanceof StudioError) return { code: err.code, message: err.message };
  return { code: 'internal', message: internal(err) };
}
