// `studio train --config FILE` with a bad field: the CLI does not parse the config itself,
// so the refusal is the contract door's (the one the launcher gets), naming the field; the
// user sees it with the file, a non-zero exit and no stack trace, and nothing is queued.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listRunRows } from '../../../src-main/store/repos/runs';
import { openProject } from '../../../src-main/services/project/project';
import { studio } from '../import/cli-run';
import { makeProject, tempDir } from './helpers';

const base = tempDir('train-config-cli');
let dir: string;
after(() => rmSync(base, { recursive: true, force: true }));

before(async () => {
  const made = await makeProject(
    [
      { className: 'rows', split: 'train', count: 2 },
      { className: 'cols', split: 'train', count: 2 },
    ],
    base,
  );
  dir = made.project.dir;
  made.project.close();
});

function trainWith(config: unknown, ...flags: string[]) {
  const file = join(base, 'run.json');
  writeFileSync(file, JSON.stringify(config));
  return { file, out: studio('train', dir, '--config', file, ...flags) };
}

const runsStored = () => {
  const p = openProject(dir, { create: false });
  try {
    return listRunRows(p.db).length;
  } finally {
    p.close();
  }
};

test("a bad field in the config file gets the contract door's error naming it, and nothing is queued", () => {
  const { file, out } = trainWith({
    backboneId: 'nsfwjs_mobilenet_v2',
    phase1: { epochs: 0, optimizer: { kind: 'adam', lr: 0.001 } },
  });
  assert.notEqual(out.status, 0);
  assert.match(out.stderr, /runs\.start: field "config\.phase1\.epochs": .*>=\s?1/);
  assert.ok(out.stderr.includes(`(in ${file})`), out.stderr);
  assert.doesNotMatch(out.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(runsStored(), 0);
});

test('a field the schema does not know is named the same way, after the flags were applied', () => {
  const { out } = trainWith(
    { backboneId: 'nsfwjs_mobilenet_v2', phase1: { epochs: 2, optimizer: { kind: 'adam', lr: 0.001, betaOne: 1 } } },
    '--epochs',
    '3',
  );
  assert.notEqual(out.status, 0);
  assert.match(out.stderr, /runs\.start: field "config\.phase1\.optimizer": .*betaOne/);
  assert.doesNotMatch(out.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(runsStored(), 0);
});
