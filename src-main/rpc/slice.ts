// A slice of the contract served by more than one object (the runs slice: the run queue and the
// bake-offs): each method goes to the part that implements it, bound to it. Made when a project
// opens, so a method no part has fails then, loudly, rather than on the first call.
import { contract, type Handlers, type ServiceName } from '../../src-shared/contract';

type Method = (input: unknown) => unknown;

export function sliceOf<S extends ServiceName>(name: S, ...parts: object[]): Handlers[S] {
  const slice: Record<string, Method> = {};
  for (const method of Object.keys(contract[name])) {
    const part = parts.find((p) => typeof (p as Record<string, unknown>)[method] === 'function');
    if (!part) throw new Error(`${name}.${method}: no part of the slice implements it`);
    slice[method] = (part as Record<string, Method>)[method]!.bind(part);
  }
  return slice as Handlers[S];
}
