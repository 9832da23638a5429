// The window comes back at the size and place it was closed at, fitted to the screens there are now.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_BOUNDS,
  fitToScreens,
  MIN_HEIGHT,
  MIN_WIDTH,
  readWindowState,
  writeWindowState,
} from '../../../src-main/electron/window-state';

const laptop = { x: 0, y: 0, width: 1920, height: 1050 };
const monitor = { x: 1920, y: 0, width: 2560, height: 1410 };

test('what was written is read back; nothing, or a damaged file, gives the default size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-window-'));
  const file = join(dir, 'sub', 'window.json');
  assert.deepEqual(readWindowState(file), { ...DEFAULT_BOUNDS, maximized: false });
  writeWindowState(file, { width: 1200, height: 800, x: 40, y: 30, maximized: true });
  assert.deepEqual(readWindowState(file), { width: 1200, height: 800, x: 40, y: 30, maximized: true });
  writeFileSync(file, '{"width": "wide"}');
  assert.deepEqual(readWindowState(file), { ...DEFAULT_BOUNDS, maximized: false });
});

test('kept where it was while that screen is there; centred by the system once it is gone', () => {
  const onMonitor = { width: 1600, height: 1000, x: 2100, y: 100, maximized: false };
  assert.deepEqual(fitToScreens(onMonitor, [laptop, monitor]), onMonitor);
  const undocked = fitToScreens(onMonitor, [laptop]);
  assert.deepEqual(undocked, { width: 1600, height: 1000, maximized: false });
});

test('never smaller than the minimum nor larger than the largest screen', () => {
  assert.deepEqual(fitToScreens({ width: 10, height: 10, maximized: false }, [laptop]), {
    width: MIN_WIDTH,
    height: MIN_HEIGHT,
    maximized: false,
  });
  assert.deepEqual(fitToScreens({ width: 5000, height: 3000, maximized: true }, [laptop, monitor]), {
    width: 2560,
    height: 1410,
    maximized: true,
  });
});
