// A provider over fixed slices, for tests and fakes that stand in for the studio: a slice left
// out answers as one whose project is not open, and no path is guarded (there are no files).
import type { Handlers } from '../../src-shared/contract';
import type { Provider } from '../../src-main/rpc/dispatcher';

export function fixedProvider(slices: Partial<Handlers>): Provider {
  return {
    slice: (service) => (Object.hasOwn(slices, service) ? (slices[service] as never) : null),
    checkPath: () => undefined,
  };
}
