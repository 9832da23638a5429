// `studio suggest PROJECT --like IMAGE --k N`: "more like this" from the command line, on a
// small Fashion-MNIST project (10 per class, 5 of each labeled), with the features of the
// bundled backbone built in a training process as the app builds them; bad flags name themselves.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeProject } from '../../../bench/assist-project';
import { FASHION_CLASSES } from '../../../scripts/fashion-mnist';
import { assignLabel, createClass } from '../../../src-main/services/labels/labels';
import { openProject } from '../../../src-main/services/project/project';
import { studioArgv } from '../../fixtures/children';

const repo = join(import.meta.dirname, '..', '..', '..');

describe('studio suggest --like', () => {
  let dir: string;
  let projectDir: string;
  let env: NodeJS.ProcessEnv;

  const studio = (...args: string[]) =>
    spawnSync(process.execPath, studioArgv('suggest', projectDir, ...args), {
      cwd: repo,
      encoding: 'utf8',
      timeout: 600_000,
      env,
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'studio-cli-like-'));
    env = { ...process.env, STUDIO_MODEL_CACHE: join(dir, 'models'), STUDIO_CONFIG_DIR: join(dir, 'config') };
    const made = await writeProject(dir, 100, 2);
    projectDir = made.projectDir;
    const project = openProject(projectDir, { create: false });
    try {
      for (const [i, name] of FASHION_CLASSES.entries()) {
        const classId = createClass(project.db, name, undefined, i).classId;
        const of = [...made.truth].filter(([, c]) => c === name).slice(0, 5);
        assignLabel(
          project.db,
          of.map(([id]) => id),
          classId,
          100 + i,
        );
      }
    } finally {
      project.close();
    }
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  test('prints the k nearest images, nearest first, the image itself left out', () => {
    const r = studio('--like', '7', '--k', '5', '--json', '--backbone', 'nsfwjs_mobilenet_v2', '--input-size', '96');
    assert.equal(r.status, 0, r.stderr);
    const { similar } = JSON.parse(r.stdout) as {
      similar: { imageId: number; items: { imageId: number; distance: number; labelClassId: number | null }[] };
    };
    assert.equal(similar.imageId, 7);
    assert.equal(similar.items.length, 5);
    const ids = similar.items.map((s) => s.imageId);
    assert.equal(new Set(ids).size, 5, 'five different images');
    assert.ok(!ids.includes(7), 'the image itself is not its own neighbour');
    const d = similar.items.map((s) => s.distance);
    assert.deepEqual(
      d,
      [...d].sort((a, b) => a - b),
      'nearest first',
    );
    assert.ok(d[0]! > 0);
  });

  test('bad flags are refused with the flag named, before any training', () => {
    const lone = studio('--k', '5');
    assert.notEqual(lone.status, 0);
    assert.match(lone.stderr, /--k goes with --like/);
    assert.doesNotMatch(lone.stderr, /\n\s+at /, 'no stack trace');
    const zero = studio('--like', '0');
    assert.notEqual(zero.status, 0);
    assert.match(zero.stderr, /--like: "0" is not a positive whole number/);
  });
});
