// Every front door calls the services through the contract's handlers; wrapping them once
// turns a failure of the project's database (read-only, full, busy, damaged) into a
// StudioError that names the file and says what to do, wherever in a service it surfaced.
import { storeError } from '../../store/db';

type AnyFn = (...args: unknown[]) => unknown;

export function guardStoreErrors<T extends object>(handlers: T, dbFile: () => string | null): T {
  const translate = (err: unknown): unknown => {
    const file = dbFile();
    return file ? storeError(err, file) : err;
  };
  const wrap =
    (fn: AnyFn): AnyFn =>
    (...args) => {
      try {
        const out = fn(...args);
        return out instanceof Promise ? out.catch((err: unknown) => Promise.reject(translate(err))) : out;
      } catch (err) {
        throw translate(err);
      }
    };
  const guarded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(handlers)) {
    guarded[key] =
      typeof value === 'function'
        ? wrap(value as AnyFn)
        : value && typeof value === 'object'
          ? guardStoreErrors(value, dbFile)
          : value;
  }
  return guarded as T;
}
