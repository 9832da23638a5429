// The folder rule (eslint.zones.js) through ESLint's own Node API and the repo's real config:
// a small file, linted as if it sat in a folder, reports an import across a line it must not
// cross and passes one it may make. The folder rule needs no type information, so the test turns
// the typed rules off: building the project's types cost this file over a minute on a loaded box.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const eslint = new ESLint({ cwd: process.cwd(), overrideConfig: tseslint.configs.disableTypeChecked });

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  const fatal = result.messages.filter((m) => m.fatal);
  assert.deepEqual(fatal, [], `${filePath} must parse`);
  return result.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals')
    .map((m) => m.message);
}

test('the renderer importing main-process code is reported, naming the folder', async () => {
  const errors = await boundaryErrors(
    'src-renderer/lib/run-stage.ts',
    "import { openDatabase } from '../../src-main/store/db';\nexport const open = openDatabase;\n",
  );
  assert.equal(errors.length, 1);
  assert.match(errors[0], /src-main\/ is main-process code/);
});

test('src-shared importing node:fs, or touching window, is reported', async () => {
  const errors = await boundaryErrors(
    'src-shared/plural.ts',
    "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\nexport const w = window.innerWidth;\n",
  );
  assert.equal(errors.length, 2, errors.join('\n'));
  assert.match(errors[0], /is a Node module/);
  assert.match(errors[1], /window.*is the DOM/);
});

test('the main process importing training-only code, and the training process main code, are reported', async () => {
  const fromMain = await boundaryErrors(
    'src-main/services/runs/run-data.ts',
    "import { restoreInto } from '../../../src-training/trainer';\nexport const t = restoreInto;\n",
  );
  assert.equal(fromMain.length, 1);
  assert.match(fromMain[0], /src-training\/ runs only in the training process/);
  const fromTraining = await boundaryErrors(
    'src-training/head.ts',
    "import { openDatabase } from '../src-main/store/db';\nexport const open = openDatabase;\n",
  );
  assert.equal(fromTraining.length, 1);
  assert.match(fromTraining[0], /src-main\/ is main-process code/);
});

test('allowed imports pass: the renderer and training from src-shared, main from src-node-shared', async () => {
  assert.deepEqual(
    await boundaryErrors(
      'src-renderer/lib/run-stage.ts',
      "import { plural } from '../../src-shared/plural';\nexport const p = plural;\n",
    ),
    [],
  );
  assert.deepEqual(
    await boundaryErrors(
      'src-training/head.ts',
      "import { plural } from '../src-shared/plural';\nimport { readFileSync } from 'node:fs';\nexport const p = [plural, readFileSync];\n",
    ),
    [],
  );
  assert.deepEqual(
    await boundaryErrors(
      'src-main/services/runs/run-data.ts',
      "import { selectBackend } from '../../../src-node-shared/backend';\nexport const s = selectBackend;\n",
    ),
    [],
  );
});
