// One short message at a time after an edit ("Labelled 12 images "Coat"", with Undo), or
// when an edit failed. A newer message replaces the older one: labelling fast, only the
// last matters.
export interface ToastAction {
  label: string;
  run: () => void;
}

export interface Toast {
  id: number;
  message: string;
  tone: 'info' | 'error';
  action: ToastAction | null;
}

const SHOW_MS = { info: 6000, error: 10000 };

export class ToastState {
  #current = $state.raw<Toast | null>(null);
  #next = 1;
  #timer: ReturnType<typeof setTimeout> | undefined;

  get current(): Toast | null {
    return this.#current;
  }

  show(message: string, action: ToastAction | null = null, tone: Toast['tone'] = 'info'): void {
    clearTimeout(this.#timer);
    const toast = { id: this.#next++, message, tone, action };
    this.#current = toast;
    this.#timer = setTimeout(() => this.dismiss(toast.id), SHOW_MS[tone]);
  }

  error(message: string): void {
    this.show(message, null, 'error');
  }

  /** Hides the toast, or only the one with `id` if it is still the one shown. */
  dismiss(id?: number): void {
    if (id !== undefined && this.#current?.id !== id) return;
    clearTimeout(this.#timer);
    this.#current = null;
  }
}
