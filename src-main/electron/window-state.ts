// The window comes back at the size and place it was closed at: kept in userData as
// window.json, checked with zod, and moved back onto a screen when the screen it was on
// is gone (a laptop undocked from its second monitor).
import { z } from 'zod';
import { readSettings, writeSettings } from '../services/settings-file';

export const MIN_WIDTH = 900;
export const MIN_HEIGHT = 600;
export const DEFAULT_BOUNDS = { width: 1440, height: 900 };

const WindowState = z.object({
  width: z.number().int().min(1),
  height: z.number().int().min(1),
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  maximized: z.boolean().default(false),
});
export type WindowState = z.infer<typeof WindowState>;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The saved state, or the default size when there is none or it is damaged. */
export function readWindowState(file: string): WindowState {
  return readSettings(file, WindowState, { ...DEFAULT_BOUNDS, maximized: false });
}

export function writeWindowState(file: string, state: WindowState): void {
  writeSettings(file, state);
}

/**
 * The state fitted to the screens there are now: no smaller than the minimum, no larger
 * than the largest work area, and placed only where most of its title bar is on a screen
 * (else left for the window manager to center).
 */
export function fitToScreens(state: WindowState, workAreas: readonly Rect[]): WindowState {
  const largest = workAreas.reduce(
    (a, b) => (b.width * b.height > a.width * a.height ? b : a),
    workAreas[0] ?? { x: 0, y: 0, ...DEFAULT_BOUNDS },
  );
  const width = Math.max(MIN_WIDTH, Math.min(state.width, largest.width));
  const height = Math.max(MIN_HEIGHT, Math.min(state.height, largest.height));
  const fitted: WindowState = { width, height, maximized: state.maximized };
  if (state.x === undefined || state.y === undefined) return fitted;
  const bar = { x: state.x, y: state.y, width, height: 32 };
  const visible = workAreas.some((area) => overlap(bar, area) >= 0.5 * bar.width * bar.height);
  return visible ? { ...fitted, x: state.x, y: state.y } : fitted;
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}
