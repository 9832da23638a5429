// The simulated annotator of bench/assist.ts. It knows every image's true class and works
// the project only through the contract calls the dataset page makes, counting one action
// per key press or click a person would make there:
// - a number key labels the selection (labels.assign, as editing.label sends it);
// - a click, a Ctrl-click, a Shift-click or a Page Down changes what is picked or seen;
// - choosing an entry in the assistant bar's "Order by suggestion" or "Predicted class"
//   select shows that view (assist.suggestions, as AssistPanelState.ordered asks for it).
import type { Suggestion } from '../src-shared/assist';

export type Call = (service: string, method: string, input?: unknown) => Promise<any>;

export class Annotator {
  actions = 0;
  /** Actions when each target share of correctly labeled images was first reached. */
  readonly reached = new Map<number, number>();
  /** Where the actions went, for the report. */
  readonly spent = { seed: 0, views: 0, select: 0, scroll: 0, accept: 0, fix: 0, dialog: 0 };
  /** Suggestions taken that were wrong, and right. */
  wrong = 0;
  right = 0;

  constructor(
    private readonly call: Call,
    /** Image id -> its true class id. */
    private readonly truth: Map<number, number>,
  ) {}

  classOf(imageId: number): number {
    return this.truth.get(imageId)!;
  }

  /** Counts `n` actions that change no label (clicks that pick, a Page Down, a select's entry). */
  look(kind: keyof Annotator['spent'], n = 1): void {
    this.actions += n;
    this.spent[kind] += n;
  }

  /** One key press labelling `imageIds`: one action, then the images correctly labeled are counted from the project. */
  async key(kind: keyof Annotator['spent'], imageIds: number[], classId: number): Promise<void> {
    await this.edit(kind, () => this.call('labels', 'assign', { imageIds, classId }));
  }

  /** One key press or click that changes labels (the key, or a dialog's Accept), then the count. */
  async edit(kind: keyof Annotator['spent'], change: () => Promise<unknown>): Promise<void> {
    await change();
    this.look(kind);
    const correct = await this.correct();
    for (const target of [0.95, 0.99])
      if (correct >= target * this.truth.size && !this.reached.has(target)) this.reached.set(target, this.actions);
  }

  /** Images whose label in the project is their true class. */
  async correct(): Promise<number> {
    let right = 0;
    let total = Infinity;
    for (let offset = 0; offset < total; offset += 2000) {
      const page = await this.call('dataset', 'images', { limit: 2000, offset });
      total = page.total;
      for (const im of page.items as { id: number; classId: number | null }[])
        if (im.classId !== null && im.classId === this.classOf(im.id)) right++;
    }
    return right;
  }

  done(target: number): boolean {
    return this.reached.has(target);
  }
}

/**
 * Labels images in grid order until every class has `min`: what the assistant waits for. A
 * key labels the cursor's image and moves the cursor to the next. Once a class has its `min`,
 * a run of two or more of its images is clicked past (a click on the next image still needed,
 * after a Page Down for each screen it lies beyond); a run of one is labeled, as cheap as the
 * click. `skip: false` labels every image in turn, one key each.
 */
export async function seed(
  a: Annotator,
  order: number[],
  classIds: number[],
  min: number,
  opt: { screen: number; skip: boolean },
): Promise<void> {
  const have = new Map<number, number>();
  const short = (id: number) => (have.get(a.classOf(id)) ?? 0) < min;
  let top = 0; // the first image on the screen
  for (let i = 0; i < order.length && classIds.some((c) => (have.get(c) ?? 0) < min); i++) {
    let next = i;
    while (opt.skip && next < order.length && !short(order[next]!)) next++;
    if (next === order.length) return;
    if (next - i >= 2) {
      for (; next >= top + opt.screen; top += opt.screen) a.look('scroll'); // Page Down
      a.look('seed'); // the click that puts the cursor on it
      i = next;
    }
    if (i >= top + opt.screen) top = i - opt.screen + 1; // the cursor scrolls the grid
    const c = a.classOf(order[i]!);
    await a.key('seed', [order[i]!], c);
    have.set(c, (have.get(c) ?? 0) + 1);
  }
}

export interface ViewOptions {
  /** Thumbnails one screen of the grid shows (a 1600 x 1000 window holds 10 x 5 cells of 124 px). */
  screen: number;
  /** Only suggestions at or above this probability are taken (the chip shows it on each thumbnail). */
  threshold: number;
}

/**
 * One predicted class's view, most confident first. Screen by screen over the images at or
 * above the threshold: pick them (Ctrl+A when they are the whole view, else click the first
 * and Shift-click the last), press the class's key, then fix the wrong ones, one true class
 * at a time: click the first, Ctrl-click the others, press that class's key. Returns how
 * many images it labeled.
 */
export async function classView(a: Annotator, call: Call, classId: number, opt: ViewOptions): Promise<number> {
  a.look('views'); // the "Predicted class" select
  const view = (
    await call('assist', 'suggestions', { which: 'unlabeled', classId, sort: 'confidence', limit: 200_000 })
  ).items as Suggestion[];
  const take = view.filter((s) => s.probability >= opt.threshold);
  for (let first = 0; first < take.length; first += opt.screen) {
    if (first > 0) a.look('scroll'); // Page Down
    const screen = take.slice(first, first + opt.screen);
    a.look('select', take.length === view.length && take.length <= opt.screen ? 1 : 2);
    await a.key(
      'accept',
      screen.map((s) => s.imageId),
      classId,
    );
    const fixed = await fixWrong(
      a,
      screen.map((s) => ({ imageId: s.imageId, classId })),
    );
    a.wrong += fixed;
    a.right += screen.length - fixed;
  }
  return take.length;
}

/**
 * Fixes, in place, the images of one screen whose shown class (label or ghost chip) is not
 * their true one: one true class at a time, click the first, Ctrl-click the others, press
 * that class's key. Returns how many it fixed.
 */
export async function fixWrong(a: Annotator, shown: readonly { imageId: number; classId: number }[]): Promise<number> {
  const wrong = new Map<number, number[]>();
  for (const s of shown) {
    const truth = a.classOf(s.imageId);
    if (truth !== s.classId) (wrong.get(truth) ?? wrong.set(truth, []).get(truth)!).push(s.imageId);
  }
  for (const [truth, ids] of wrong) {
    a.look('fix', ids.length); // a click, then Ctrl-clicks
    await a.key('fix', ids, truth);
  }
  return [...wrong.values()].reduce((n, ids) => n + ids.length, 0);
}
