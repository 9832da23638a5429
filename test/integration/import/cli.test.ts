// `studio import` and `studio info`, run as a user runs them.
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeImage, writeTree } from '../../fixtures/images';
import { studio } from './cli-run';
import { tempDir } from './helpers';

const base = tempDir('cli');
const data = join(base, 'data');
const project = join(base, 'project');
after(() => rmSync(base, { recursive: true, force: true }));

before(async () => {
  writeTree(data, {
    'train/cat/1.jpg': await makeImage(61),
    'train/dog/2.png': await makeImage(62, 'png'),
    'test/cat/3.jpg': await makeImage(63),
    'test/dog/broken.jpg': 'not a jpeg at all',
  });
});

describe('studio import', () => {
  test('creates the project, imports, and prints a summary with each problem; problems still exit 0', () => {
    const r = studio('import', project, data);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /: done/);
    assert.match(r.stdout, /4 of 4 files: 3 new images, 0 already in the project or copies, 1 problem /);
    assert.match(r.stdout, /not-an-image: .*test.dog.broken\.jpg\n\s+Not an image: the name says JPEG/);
    assert.ok(existsSync(join(project, 'studio.db')));
  });

  test('a second import finds nothing new', () => {
    const r = studio('import', project, data);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /4 of 4 files: 0 new images, 3 already in the project or copies, 1 problem /);
  });

  test('a missing folder fails with a clear message and creates no project', () => {
    const elsewhere = join(base, 'not-created');
    const r = studio('import', elsewhere, join(base, 'nope'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^studio: .*nope does not exist\. Choose the folder that holds your images\./);
    assert.equal(existsSync(elsewhere), false);
  });
});

describe('studio info', () => {
  test('prints counts per class, split and problem kind', () => {
    const r = studio('info', project);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Images\s+3\s+\(0 unlabeled\)/);
    assert.match(r.stdout, /^\s+cat\s+2$/m);
    assert.match(r.stdout, /^\s+dog\s+1$/m);
    assert.match(r.stdout, /^\s+train\s+2$/m);
    assert.match(r.stdout, /^\s+test\s+1$/m);
    assert.match(r.stdout, /^\s+not-an-image\s+1$/m);
  });

  test('--json gives the same numbers to scripts', () => {
    const r = studio('info', project, '--json');
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.deepEqual(json.stats.perSplit, { train: 2, val: 0, test: 1, none: 0 });
    assert.deepEqual(json.stats.problems, [{ kind: 'not-an-image', count: 1 }]);
    assert.equal(json.lastImport.status, 'done');
  });

  test('a folder that is not a project is refused with what to do', () => {
    const r = studio('info', base);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /is not a Finetune Studio project \(it has no studio\.db\)/);
  });
});
