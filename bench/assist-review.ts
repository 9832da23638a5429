// The second strategy of bench/assist.ts (`--flow review`): teach the assistant the images it
// is least sure of, accept all its other suggestions at once, then review the accepted ones
// it was least sure of. Like the first (`--flow views`) it works only through the contract
// calls the dataset page makes and counts one action per key press or click:
// - "Order by suggestion: Least certain first" (AssistBar) is assist.suggestions sorted by
//   the top-two margin over the unlabeled images; the grid then holds that list of ids, and
//   each thumbnail's ghost chip follows the newest training;
// - a fix is a click, Ctrl-clicks and the true class's key (labels.assign);
// - "Accept suggestions..." at 0 % for every class is one assist.accept (AcceptDialog);
// - "Disagreements" is assist.disagreements, the labeled images the assistant doubts.
import type { Suggestion } from '../src-shared/assist';
import { fixWrong, type Annotator, type Call } from './assist-annotator';

export interface ReviewOptions {
  /** Thumbnails one screen of the grid shows. */
  screen: number;
  /** Screens of the least certain images worked before accepting the rest. */
  rounds: number;
  /**
   * How those screens are worked. 'static': walk the one "Least certain first" list, fixing
   * the wrong ghost chips and leaving the right ones for the accept. 'class': one "Predicted
   * class" view at a time (classes in turn, least certain first, read fresh), pick the screen
   * (click + Shift-click), press the class's key, fix the wrong ones.
   */
  pick: 'static' | 'class';
  /** What is reviewed after the accept: the list the accept took, least certain first, or the disagreements. */
  review: 'uncertainty' | 'disagreement';
}

const ALL = 200_000;

async function suggestions(call: Call, input: Record<string, unknown>): Promise<Suggestion[]> {
  return (await call('assist', 'suggestions', { limit: ALL, ...input })).items as Suggestion[];
}

/** The app retrains by itself after a label change; the bench waits for it before the next look. */
const retrain = (call: Call) => call('assist', 'refresh');

/** Screens of the static list: the live ghost chip of each still-unlabeled image, wrong ones fixed. */
async function staticScreens(a: Annotator, call: Call, opt: ReviewOptions): Promise<void> {
  a.look('views'); // "Order by suggestion: Least certain first"
  const list = (await suggestions(call, { which: 'unlabeled', sort: 'uncertainty' })).map((s) => s.imageId);
  for (let r = 0; r < opt.rounds && r * opt.screen < list.length; r++) {
    if (r > 0) a.look('scroll'); // Page Down
    const ids = list.slice(r * opt.screen, (r + 1) * opt.screen);
    const chips = await suggestions(call, { which: 'unlabeled', imageIds: ids, sort: 'image' });
    if ((await fixWrong(a, chips)) > 0) await retrain(call);
  }
}

/** One fresh "Predicted class" view per screen, least certain first: the screen labeled as that class, then fixed. */
async function classScreens(a: Annotator, call: Call, classIds: number[], opt: ReviewOptions): Promise<void> {
  a.look('views'); // "Order by suggestion: Least certain first"
  for (let r = 0; r < opt.rounds; r++) {
    const classId = classIds[r % classIds.length]!;
    a.look('views'); // the "Predicted class" select
    const view = await suggestions(call, { which: 'unlabeled', classId, sort: 'uncertainty' });
    if (view.length === 0) continue;
    const screen = view.slice(0, opt.screen);
    a.look('select', view.length <= opt.screen ? 1 : 2); // Ctrl+A, or click + Shift-click
    const ids = screen.map((s) => s.imageId);
    await a.key('accept', ids, classId);
    const fixed = await fixWrong(
      a,
      screen.map((s) => ({ imageId: s.imageId, classId })),
    );
    a.wrong += fixed;
    a.right += screen.length - fixed;
    await retrain(call);
  }
}

/** Accepts every remaining suggestion in the dialog: "Accept suggestions...", the percent field to 0, Accept. */
async function acceptAll(a: Annotator, call: Call): Promise<void> {
  const left = await suggestions(call, { which: 'unlabeled', sort: 'image' });
  for (const s of left) if (s.classId === a.classOf(s.imageId)) a.right++;
  a.wrong += left.filter((s) => s.classId !== a.classOf(s.imageId)).length;
  // The button, a click in the field (which holds 95), Ctrl+A in it, the key 0; "every class" is the default.
  a.look('dialog', 4);
  await a.edit('dialog', () => call('assist', 'accept', { threshold: 0 }));
}

/** Walks a list of labeled images screen by screen, fixing wrong labels; stops at 99 %. Returns the fixes. */
async function walk(a: Annotator, call: Call, list: number[], screen: number): Promise<number> {
  let fixed = 0;
  for (let first = 0; first < list.length && !a.done(0.99); first += screen) {
    if (first > 0) a.look('scroll'); // Page Down
    const ids = list.slice(first, first + screen);
    const labels = (await suggestions(call, { which: 'labeled', imageIds: ids, sort: 'image' })).map((s) => ({
      imageId: s.imageId,
      classId: s.labelClassId!,
    }));
    fixed += await fixWrong(a, labels);
  }
  return fixed;
}

/** Rounds of "Disagreements" after a retraining, each list walked once, until one finds nothing or 99 % is reached. */
async function disagreementRounds(a: Annotator, call: Call, opt: ReviewOptions, switchCost: number): Promise<void> {
  for (let round = 0; round < 5 && !a.done(0.99); round++) {
    await retrain(call);
    a.look('views', round === 0 ? switchCost : 2); // the same entry again: another one, then it
    const list = (await call('assist', 'disagreements', { limit: 2000 })).items.map(
      (d: { imageId: number }) => d.imageId,
    );
    if ((await walk(a, call, list, opt.screen)) === 0) return;
  }
}

export async function reviewFlow(a: Annotator, call: Call, classIds: number[], opt: ReviewOptions): Promise<void> {
  if (opt.pick === 'static') await staticScreens(a, call, opt);
  else await classScreens(a, call, classIds, opt);
  if (opt.review === 'disagreement') {
    await acceptAll(a, call);
    // "Disagreements" in the order select; after the class views also "Any predicted class".
    return disagreementRounds(a, call, opt, opt.pick === 'static' ? 1 : 2);
  }
  // A fresh "Least certain first" list before the accept: the order select chosen again
  // (another entry, then it) after the static walk, or "Any predicted class" after the class views.
  a.look('views', opt.pick === 'static' ? 2 : 1);
  const list = (await suggestions(call, { which: 'unlabeled', sort: 'uncertainty' })).map((s) => s.imageId);
  await acceptAll(a, call);
  await walk(a, call, list, opt.screen);
  // Past the end of that list: the disagreements, from "Least certain first" one choice away.
  await disagreementRounds(a, call, opt, 1);
}
