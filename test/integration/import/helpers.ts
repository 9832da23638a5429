// Shared by the import tests: a project in a temp folder, an importer that records its
// events, and a look at what landed in the database and thumbs/.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportProgress } from '../../../src-shared/schemas';
import { ImportService, type ImportOptions } from '../../../src-main/services/import/import-service';
import { openProject, type Project } from '../../../src-main/services/project/project';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `studio-${prefix}-`));
}

export interface Importer {
  project: Project;
  service: ImportService;
  events: ImportProgress[];
  /** Imports a folder to the end and returns its final event. */
  run(folder: string): Promise<ImportProgress>;
}

export function importer(projectDir: string, options: ImportOptions = {}): Importer {
  const project = openProject(projectDir, { create: true });
  const events: ImportProgress[] = [];
  // Parsing every event checks it against the contract, as the event hub will.
  const service = new ImportService(project, (p) => events.push(ImportProgress.parse(p)), Date.now, options);
  return {
    project,
    service,
    events,
    async run(folder) {
      const { importId } = service.start({ folder });
      await service.idle();
      const final = events.filter((e) => e.importId === importId).at(-1)!;
      return final;
    },
  };
}

export function thumbFiles(project: Project): string[] {
  return readdirSync(project.thumbsDir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(jpg|webp)$/.test(f));
}

export function count(project: Project, sql: string, ...params: unknown[]): number {
  return (project.db.prepare(sql).get(...params) as { n: number }).n;
}

/** The counts an import's final event reports. */
export function tally(p: ImportProgress) {
  return {
    status: p.status,
    total: p.total,
    done: p.done,
    imported: p.imported,
    skipped: p.skipped,
    problems: p.problems,
  };
}
