// The recent projects, per user and shared by both doors: the desktop app and the browser
// see one list, kept in the user's config folder as a settings file.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import type { RecentProject } from '../../../src-shared/folders';
import { readSettings, writeSettings } from '../settings-file';
import { folderName } from './browse';

export const RECENTS_MAX = 10;

const Stored = z.array(z.object({ path: z.string(), openedAt: z.number() }));

/**
 * The per-user config folder: `STUDIO_CONFIG_DIR` when set, else the caller's folder
 * (Electron passes userData), else `$XDG_CONFIG_HOME/finetune-studio`, else `~/.config/finetune-studio`.
 */
export function userConfigDir(fallback?: string, env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (env.STUDIO_CONFIG_DIR) return env.STUDIO_CONFIG_DIR;
  if (fallback) return fallback;
  const xdg = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(xdg, 'finetune-studio');
}

export class RecentProjects {
  readonly file: string;

  constructor(configDir: string) {
    this.file = join(configDir, 'recent-projects.json');
  }

  list(): RecentProject[] {
    return this.#read().map(({ path, openedAt }) => ({
      path,
      name: folderName(path),
      openedAt,
      exists: existsSync(join(path, 'studio.db')),
    }));
  }

  has(path: string): boolean {
    const full = resolve(path);
    return this.#read().some((r) => r.path === full);
  }

  remember(path: string, now: number): void {
    const full = resolve(path);
    this.#write([{ path: full, openedAt: now }, ...this.#read().filter((r) => r.path !== full)].slice(0, RECENTS_MAX));
  }

  forget(path: string): void {
    const full = resolve(path);
    this.#write(this.#read().filter((r) => r.path !== full));
  }

  #read(): z.infer<typeof Stored> {
    return readSettings(this.file, Stored, []);
  }

  #write(list: z.infer<typeof Stored>): void {
    writeSettings(this.file, list);
  }
}
