// The whole renderer's state, wired together: opening a project loads its dataset, an
// import's progress refreshes what it changes, and moving to a page opens that page's own
// state in `pages` (closing the last one's). Components find it through context (useApp)
// and hand the parts they show to their children as props.
import type { ImageFilter } from '../../../src-shared/schemas';
import type { Connection } from './connection.svelte';
import { DatasetState } from './dataset.svelte';
import { EditingState } from './editing.svelte';
import { AssistPanelState, type AssistView } from './assist.svelte';
import { HistoryState } from './history.svelte';
import { ImageGridState } from './image-grid.svelte';
import { ImportsState } from './imports.svelte';
import { LauncherState } from './launcher.svelte';
import { MapViewState } from './map.svelte';
import { ModelViewState } from './model-view.svelte';
import { NavState, type Place } from './nav.svelte';
import { PagesState } from './pages.svelte';
import { ProblemsState } from './problems.svelte';
import { ProjectState } from './project.svelte';
import { RunsState } from './runs.svelte';
import { SelectionState } from './selection.svelte';
import { ToastState } from './toasts.svelte';
import { ViewerState } from './viewer.svelte';

export class AppState {
  readonly studio: Connection;
  readonly project: ProjectState;
  readonly dataset: DatasetState;
  readonly grid: ImageGridState;
  readonly imports: ImportsState;
  readonly problems: ProblemsState;
  readonly viewer: ViewerState;
  readonly selection: SelectionState;
  readonly history: HistoryState;
  readonly editing: EditingState;
  readonly toasts = new ToastState();
  readonly nav: NavState;
  readonly pages: PagesState;
  readonly runs: RunsState;
  readonly launcher: LauncherState;
  readonly modelView: ModelViewState;
  readonly assist: AssistPanelState;
  readonly map: MapViewState;
  #enteredPath: string | null = null;
  #enteredBefore = false;

  constructor(studio: Connection) {
    this.studio = studio;
    this.project = new ProjectState(studio);
    this.dataset = new DatasetState(studio);
    this.grid = new ImageGridState(studio);
    this.problems = new ProblemsState(studio);
    this.viewer = new ViewerState(studio, () => this.grid.selectedItem);
    this.selection = new SelectionState(this.grid);
    this.history = new HistoryState(studio);
    this.assist = new AssistPanelState(studio);
    this.map = new MapViewState(studio);
    this.runs = new RunsState(studio);
    this.launcher = new LauncherState(studio);
    this.pages = new PagesState(studio, { runs: this.runs, launcher: this.launcher });
    this.nav = new NavState((place) => this.#showPage(place));
    this.modelView = new ModelViewState(studio, () => ({
      imageId: this.viewer.imageId,
      inputSize: this.launcher.form.input.config.inputSize,
    }));
    const { dataset, grid, selection, history, toasts } = this;
    this.editing = new EditingState(studio, { dataset, grid, selection, history, toasts });
    this.imports = new ImportsState(studio, (finished) => this.#datasetChanged(finished));
    // Another window (or the command line through the server) may switch projects.
    studio.on('project.changed', (info) => this.#follow(info?.path ?? null));
    // Any label or class edit (this window's, another's, an undo) changes counts, cells and history.
    studio.on('labels.changed', () => this.#labelsChanged());
    studio.onReopen(() => void this.start());
    this.assist.onTrained = () => this.#queueFollows();
  }

  /** Shows the assistant's list of images in the grid: its order kept, the cursor on the first for the queue. */
  showAssistView(ids: number[], view: AssistView, selectAll = false): void {
    this.viewer.close();
    this.selection.reset();
    this.grid.setFilter({ imageIds: ids }, view.kind === 'queue' ? 0 : -1);
    this.assist.setView(view);
    if (selectAll) this.selection.selectAll();
  }

  /** "Label next": the queue's next page, one key per image (Enter accepts the ghost chip). */
  async labelNext(): Promise<void> {
    const ids = await this.assist.nextPage();
    if (ids.length === 0) return this.toasts.show('Nothing left to label: every image has a label.');
    this.showAssistView(ids, {
      kind: 'queue',
      label: `Label next: ${ids.length} images the assistant would learn most from`,
    });
  }

  /** A retrained assistant reorders the queue: a page whose images are all labeled gives way to the next. */
  #queueFollows(): void {
    if (this.assist.view?.kind !== 'queue' || !this.grid.filter.imageIds) return;
    const total = this.grid.total ?? 0;
    for (let i = 0; i < total; i++) if (this.grid.itemAt(i)?.classId == null) return;
    void this.labelNext();
  }

  /** Loads what the studio has open; run again whenever the connection comes back. */
  async start(): Promise<void> {
    await this.project.load();
    this.#follow(this.project.info?.path ?? null, true);
    if (this.project.info) await this.imports.resync();
  }

  async openProject(path: string, create: boolean): Promise<void> {
    await this.project.open(path, create);
    this.#follow(this.project.info?.path ?? null);
  }

  /** Shows the images the filter picks; a new list starts with nothing selected. */
  setFilter(filter: ImageFilter): void {
    if (!filter.imageIds) this.assist.setView(null);
    this.selection.reset();
    this.grid.setFilter(filter);
  }

  async closeProject(): Promise<void> {
    await this.project.close();
    this.#follow(null);
  }

  /** Enters the project at `path` (null: none), or only reloads it when it is already shown. */
  #follow(path: string | null, reload = false): void {
    if (path === this.#enteredPath) {
      if (reload && path) this.#datasetChanged(true);
      return;
    }
    this.#enteredPath = path;
    this.pages.close();
    this.viewer.close();
    this.imports.dismiss();
    this.dataset.clear();
    this.history.clear();
    this.toasts.dismiss();
    this.runs.clear();
    this.assist.clear();
    this.map.clear();
    if (!path) return;
    // Another project starts on its dataset; the first one keeps the page the URL names.
    if (this.#enteredBefore) this.nav.go('dataset');
    this.#enteredBefore = true;
    void this.dataset.refresh();
    this.setFilter({});
    void this.problems.load(0);
    void this.history.load();
    void this.runs.load();
    void this.assist.load();
    this.pages.show(this.nav.place);
  }

  /** A page opens only inside a project: its data is the project's. */
  #showPage(place: Place): void {
    if (this.#enteredPath) this.pages.show(place);
  }

  #datasetChanged(finished: boolean): void {
    void this.dataset.refresh();
    this.grid.refresh();
    if (finished) {
      void this.problems.load();
      void this.history.load();
    }
  }

  async #labelsChanged(): Promise<void> {
    this.grid.refresh();
    void this.history.load();
    void this.viewer.reload();
    await this.dataset.refresh();
    // A class merged away or deleted cannot stay the filter: show everything instead.
    const { classId } = this.grid.filter;
    if (classId !== undefined && !this.dataset.classById(classId))
      this.setFilter({ ...this.grid.filter, classId: undefined });
  }
}
