// A <dialog> shown as a modal while it is in the page: showModal makes the page behind inert
// and traps the focus; Escape asks `onclose` instead of closing on its own, so the state
// that opened the dialog stays the one that closes it.
export function modal(dialog: HTMLDialogElement, onclose: () => void) {
  let close = onclose;
  const cancel = (e: Event) => {
    e.preventDefault();
    close();
  };
  dialog.addEventListener('cancel', cancel);
  dialog.showModal();
  return {
    update(next: () => void) {
      close = next;
    },
    destroy() {
      dialog.removeEventListener('cancel', cancel);
      dialog.close();
    },
  };
}
