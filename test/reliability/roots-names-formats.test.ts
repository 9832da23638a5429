// Issue 19's smaller items, each probed where it bit: a server started from / offered / as
// its "working folder", so `folders.pick /etc` was allowed; right-to-left overrides and the
// other bidirectional controls were accepted in class names; and a problem for
// `external.png` said "the name says JPEG", copied from an identical .jpg met first.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { browseRoots } from '../../src-main/services/folders/browse';
import { Studio } from '../../src-main/services/studio';
import { StudioError } from '../../src-shared/errors';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (p: string) => (dirs.push(mkdtempSync(join(tmpdir(), `studio-${p}-`))), dirs.at(-1)!);

/** Runs `fn`, which must throw a StudioError of `code` whose message matches `pattern`. */
async function refused(fn: () => unknown, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(
    async () => fn(),
    (e: unknown) => {
      assert.ok(e instanceof StudioError, String(e));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, pattern);
      return true;
    },
  );
}

test('a studio started from / offers no root at /, so /etc cannot be chosen; STUDIO_FOLDERS=/ still can on purpose', async () => {
  const cwd = process.cwd();
  process.chdir('/');
  try {
    const studio = new Studio({ configDir: temp('config') });
    const roots = await studio.handlers().folders.roots({});
    assert.ok(roots.length > 0 && roots.every((r) => r.path !== '/'), JSON.stringify(roots));
    await refused(
      () => studio.handlers().folders.pick({ path: '/etc' }),
      'path-not-allowed',
      /\/etc is outside the folders the studio may open/,
    );
    assert.ok(
      browseRoots({}, '/', '/').every((r) => r.path !== '/'),
      'a home of / is no root either',
    );
    assert.ok(browseRoots({ STUDIO_FOLDERS: '/' }, '/', '/').some((r) => r.path === '/'));
  } finally {
    process.chdir(cwd);
  }
});

describe('in a project', () => {
  const studio = new Studio({ configDir: temp('config') });
  studio.open({ path: temp('project'), create: true });
  after(() => studio.close());
  const api = studio.handlers();

  test('bidirectional controls are refused in class names, by code point, on create, rename and folder import', async () => {
    const controls = [
      '\u202a',
      '\u202b',
      '\u202c',
      '\u202d',
      '\u202e',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
      '\u200e',
      '\u200f',
      '\u061c',
    ];
    for (const ch of controls) {
      const hex = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      await refused(
        () => api.classes.create({ name: `cat${ch}gpj.exe` }),
        'invalid-input',
        new RegExp(`bidirectional control characters \\(it has U\\+${hex} at character 4\\)`),
      );
    }
    const { classId } = await api.classes.create({ name: 'cat' });
    await refused(() => api.classes.rename({ id: classId, name: 'ta\u202ec' }), 'invalid-input', /U\+202E/);
    assert.deepEqual(
      (await api.dataset.classes({})).map((c) => c.name),
      ['cat'],
    );
    // Right-to-left text itself is a name like any other.
    await api.classes.create({ name: 'قطة' });

    const data = temp('bidi-data');
    mkdirSync(join(data, 'dog\u202e'));
    writeFileSync(join(data, 'dog\u202e', 'a.png'), Buffer.from('not read'));
    await api.folders.pick({ path: data });
    const { importId } = await api.imports.start({ folder: data });
    await studio.idle();
    const problems = await api.imports.problems({ importId, limit: 10 });
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.reason, /This folder's name cannot be a class name.*U\+202E/);
    assert.deepEqual((await api.dataset.classes({})).map((c) => c.name).sort(), ['cat', 'قطة'].sort());
  });

  test("the same bytes under .jpg and .png: each problem names its own file's format", async () => {
    const data = temp('same-bytes');
    const bytes = Buffer.from('<html>a web page saved under an image name</html>\n');
    for (const name of ['a.jpg', 'external.png', 'z.webp']) writeFileSync(join(data, name), bytes);
    await api.folders.pick({ path: data });
    const { importId } = await api.imports.start({ folder: data });
    await studio.idle();
    const problems = await api.imports.problems({ importId, limit: 10 });
    const said = Object.fromEntries(
      problems.map((p) => [p.path.slice(data.length + 1), p.reason.match(/the name says (\w+)/)?.[1]]),
    );
    assert.deepEqual(said, { 'a.jpg': 'JPEG', 'external.png': 'PNG', 'z.webp': 'WebP' });
  });
});
