// Drag a box over the grid to select the cells it touches (a "rubber band"). The box lives
// in the scrolled canvas's coordinates, so it keeps its start while the grid scrolls under
// it, and dragging against the top or bottom edge scrolls the grid.
import { boxFrom, type Box } from './grid-layout';

export interface BoxSelectHooks {
  viewport(): HTMLElement;
  /** The cell indices a box touches. */
  hit(box: Box): number[];
  onstart(additive: boolean): void;
  onchange(indices: number[]): void;
  onend(indices: number[]): void;
}

/** How far the pointer moves before a press becomes a drag rather than a click. */
const THRESHOLD = 5;
/** Within this many pixels of the top or bottom edge, the grid scrolls. */
const EDGE = 32;
const MAX_SCROLL_PER_FRAME = 28;

export class BoxSelect {
  #box = $state.raw<Box | null>(null);
  readonly #hooks: BoxSelectHooks;
  #start: { x: number; y: number } | null = null;
  #client = { x: 0, y: 0 };
  #pointer = -1;
  #additive = false;
  #indices: number[] = [];
  #frame = 0;
  #swallow = false;

  constructor(hooks: BoxSelectHooks) {
    this.#hooks = hooks;
  }

  /** The box being dragged, in canvas coordinates; null when none. */
  get box(): Box | null {
    return this.#box;
  }

  down(e: PointerEvent): void {
    this.#swallow = false;
    const viewport = this.#hooks.viewport();
    // A press on the scrollbar scrolls; it selects nothing.
    if (e.button !== 0 || e.clientX - viewport.getBoundingClientRect().left >= viewport.clientWidth) return;
    this.#start = this.#toCanvas(e.clientX, e.clientY);
    this.#client = { x: e.clientX, y: e.clientY };
    this.#pointer = e.pointerId;
    this.#additive = e.shiftKey || e.ctrlKey || e.metaKey;
  }

  move(e: PointerEvent): void {
    if (!this.#start || e.pointerId !== this.#pointer) return;
    this.#client = { x: e.clientX, y: e.clientY };
    if (!this.#box) {
      const p = this.#toCanvas(e.clientX, e.clientY);
      if (Math.hypot(p.x - this.#start.x, p.y - this.#start.y) < THRESHOLD) return;
      this.#hooks.viewport().setPointerCapture(e.pointerId);
      this.#indices = [];
      this.#hooks.onstart(this.#additive);
      this.#scrollLoop();
    }
    this.#update();
  }

  /** Ends a press; a drag's end selects, and the click that follows it must select nothing. */
  up(e: PointerEvent): void {
    if (e.pointerId !== this.#pointer) return;
    if (this.#box) {
      this.#update();
      this.#hooks.onend(this.#indices);
      this.#swallow = true;
    }
    this.#stop();
  }

  cancel(): void {
    this.#stop();
  }

  /** True once for the click that ends a drag. */
  swallowClick(): boolean {
    const swallow = this.#swallow;
    this.#swallow = false;
    return swallow;
  }

  #update(): void {
    if (!this.#start) return;
    const p = this.#toCanvas(this.#client.x, this.#client.y);
    const box = boxFrom(this.#start.x, this.#start.y, p.x, p.y);
    this.#box = box;
    const indices = this.#hooks.hit(box);
    if (sameList(indices, this.#indices)) return;
    this.#indices = indices;
    this.#hooks.onchange(indices);
  }

  #scrollLoop(): void {
    this.#frame = requestAnimationFrame(() => {
      const viewport = this.#hooks.viewport();
      const { top, bottom } = viewport.getBoundingClientRect();
      const y = this.#client.y;
      const into = y < top + EDGE ? y - (top + EDGE) : y > bottom - EDGE ? y - (bottom - EDGE) : 0;
      if (into !== 0) {
        viewport.scrollTop += Math.max(-MAX_SCROLL_PER_FRAME, Math.min(MAX_SCROLL_PER_FRAME, into / 2));
        this.#update();
      }
      this.#scrollLoop();
    });
  }

  #stop(): void {
    cancelAnimationFrame(this.#frame);
    this.#start = null;
    this.#pointer = -1;
    this.#box = null;
  }

  #toCanvas(clientX: number, clientY: number): { x: number; y: number } {
    const viewport = this.#hooks.viewport();
    const rect = viewport.getBoundingClientRect();
    return { x: clientX - rect.left + viewport.scrollLeft, y: clientY - rect.top + viewport.scrollTop };
  }
}

function sameList(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, k) => v === b[k]);
}
