// The one contract between the renderer (or any client) and the main-side services.
// Each method names a zod schema for its input and its output; the main side parses
// every input with it, so a client is never trusted. Events carry progress.
import { z } from 'zod';
import {
  ClassInfo,
  DatasetStats,
  ImageDetail,
  ImageFilter,
  ImageSummary,
  ImportProgress,
  ImportRecord,
  Problem,
  ProjectInfo,
} from './schemas';

export interface MethodDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
}

const method = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O): MethodDef<I, O> => ({ input, output });
const none = z.object({}).strict();
const page = { offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(2000).default(200) };

export const contract = {
  project: {
    /** Opens the project folder (creating it when `create` is set) and makes it current. */
    open: method(z.object({ path: z.string().min(1), create: z.boolean().default(false) }).strict(), ProjectInfo),
    current: method(none, ProjectInfo.nullable()),
    close: method(none, z.null()),
  },
  imports: {
    /** Starts importing a folder in the background; progress arrives as `imports.progress` events. */
    start: method(z.object({ folder: z.string().min(1) }).strict(), z.object({ importId: z.number().int() })),
    cancel: method(z.object({ importId: z.number().int() }).strict(), z.null()),
    list: method(none, z.array(ImportRecord)),
  },
  dataset: {
    classes: method(none, z.array(ClassInfo)),
    images: method(
      z.object({ filter: ImageFilter.default({}), ...page }).strict(),
      z.object({ total: z.number().int(), items: z.array(ImageSummary) }),
    ),
    image: method(z.object({ id: z.number().int() }).strict(), ImageDetail),
    problems: method(
      z.object({ ...page }).strict(),
      z.object({ total: z.number().int(), items: z.array(Problem) }),
    ),
    stats: method(none, DatasetStats),
  },
} as const;

export const events = {
  'imports.progress': ImportProgress,
  'project.changed': ProjectInfo.nullable(),
} as const;

export type Contract = typeof contract;
export type ServiceName = keyof Contract;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;

type Def<S extends ServiceName, M extends keyof Contract[S]> = Contract[S][M] extends MethodDef<infer I, infer O>
  ? { input: I; output: O }
  : never;

/** What a caller passes: defaults may be left out. */
export type Input<S extends ServiceName, M extends keyof Contract[S]> = z.input<Def<S, M>['input']>;
/** What an implementation receives, after parsing and defaults. */
export type ParsedInput<S extends ServiceName, M extends keyof Contract[S]> = z.output<Def<S, M>['input']>;
export type Output<S extends ServiceName, M extends keyof Contract[S]> = z.output<Def<S, M>['output']>;

/** The client's view: every method async, inputs as the caller writes them. */
export type Api = {
  [S in ServiceName]: {
    [M in keyof Contract[S]]: {} extends Input<S, M>
      ? (input?: Input<S, M>) => Promise<Output<S, M>>
      : (input: Input<S, M>) => Promise<Output<S, M>>;
  };
};

/** The main side's view: inputs arrive parsed. */
export type Handlers = {
  [S in ServiceName]: { [M in keyof Contract[S]]: (input: ParsedInput<S, M>) => Promise<Output<S, M>> | Output<S, M> };
};
