import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { installedPackageFile } from './installed-package-file.js';
import { nativeInitPackage } from './native-init.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = realpathSync(mkdtempSync(join(tmpdir(), 'ironrun-installed-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** What Node's own resolver says, or the code of what it throws. */
function nodeResolve(from: string, request: string): string {
  try {
    return createRequire(join(from, 'index.js')).resolve(request);
  } catch (error) {
    return `throws ${(error as NodeJS.ErrnoException).code}`;
  }
}

function ours(from: string, name: string, subpath: string): string {
  try {
    return installedPackageFile(from, name, subpath);
  } catch (error) {
    return `throws ${(error as NodeJS.ErrnoException).code}`;
  }
}

/** A project at `root/<name>` whose node_modules holds `pkg` with this package.json and files. */
function project(name: string, manifest: unknown, files: readonly string[]): string {
  const dir = join(root, name);
  const pkg = join(dir, 'node_modules', 'pkg');
  mkdirSync(join(dir, 'src', 'deep'), { recursive: true });
  mkdirSync(pkg, { recursive: true });
  if (manifest !== undefined)
    writeFileSync(
      join(pkg, 'package.json'),
      typeof manifest === 'string' ? manifest : JSON.stringify(manifest),
    );
  for (const file of files) {
    mkdirSync(dirname(join(pkg, file)), { recursive: true });
    writeFileSync(join(pkg, file), '');
  }
  return join(dir, 'src', 'deep');
}

describe('installedPackageFile', () => {
  it('finds the native init of this platform where require.resolve does', () => {
    const name = nativeInitPackage();
    if (name === undefined) return;
    const expected = nodeResolve(here, `${name}/ironrun-init`);
    expect(expected).not.toMatch(/^throws/);
    expect(installedPackageFile(here, name, './ironrun-init')).toBe(expected);
  });

  it('finds a package entry through a pnpm symlink where require.resolve does', () => {
    const cli = fileURLToPath(new URL('../../cli/src/', import.meta.url));
    const core = installedPackageFile(cli, '@ironrun/core', '.');
    expect(core).toBe(nodeResolve(cli, '@ironrun/core'));
    expect(installedPackageFile(dirname(core), '@ironrun/sandbox', '.')).toBe(
      nodeResolve(dirname(core), '@ironrun/sandbox'),
    );
  });

  // Each shape: the answer is Node's, whether read straight or handed to Node's resolver.
  const shapes: [string, unknown, string[], string][] = [
    ['a string export', { exports: './lib/main.js' }, ['lib/main.js'], '.'],
    ['a subpath export', { exports: { './tool': './bin/tool' } }, ['bin/tool'], './tool'],
    [
      'types and default',
      { exports: { '.': { types: './a.d.ts', default: './dist/a.js' } } },
      ['dist/a.js'],
      '.',
    ],
    [
      'require before default',
      { exports: { '.': { require: './r.cjs', default: './d.js' } } },
      ['r.cjs', 'd.js'],
      '.',
    ],
    ['a pattern', { exports: { './*': './files/*.js' } }, ['files/x.js'], './x'],
    ['an unexported subpath', { exports: { '.': './a.js' } }, ['a.js', 'b.js'], './b.js'],
    ['a target outside the package', { exports: { '.': './../escape.js' } }, [], '.'],
    [
      'a target through node_modules',
      { exports: { '.': './node_modules/x.js' } },
      ['node_modules/x.js'],
      '.',
    ],
    ['no exports (main)', { main: './m.js' }, ['m.js'], '.'],
    ['no package.json', undefined, ['index.js'], '.'],
    ['a broken package.json', '{ "exports": ', ['index.js'], '.'],
    ['an exported file that is missing', { exports: { '.': './gone.js' } }, [], '.'],
  ];
  for (const [label, manifest, files, subpath] of shapes) {
    it(`answers as require.resolve for ${label}`, () => {
      const from = project(label.replaceAll(' ', '-'), manifest, files);
      const request = subpath === '.' ? 'pkg' : `pkg${subpath.slice(1)}`;
      const expected = nodeResolve(from, request);
      const got = ours(from, 'pkg', subpath);
      // A missing file: Node says MODULE_NOT_FOUND, the direct read ENOENT; both refuse.
      if (expected.startsWith('throws')) expect(got).toMatch(/^throws/);
      else expect(got).toBe(expected);
    });
  }

  it('takes the nearest node_modules, as Node does, even when a farther one also has the package', () => {
    const from = project('nearest', { exports: './near.js' }, ['near.js']);
    const outer = join(root, 'node_modules', 'pkg');
    mkdirSync(outer, { recursive: true });
    writeFileSync(join(outer, 'package.json'), JSON.stringify({ exports: './far.js' }));
    writeFileSync(join(outer, 'far.js'), '');
    expect(installedPackageFile(from, 'pkg', '.')).toBe(
      join(root, 'nearest', 'node_modules', 'pkg', 'near.js'),
    );
    expect(installedPackageFile(from, 'pkg', '.')).toBe(nodeResolve(from, 'pkg'));
  });

  it('returns the real path of a file reached through a symlinked package', () => {
    const real = project('real', { exports: './r.js' }, ['r.js']);
    const linked = join(root, 'linked', 'src');
    mkdirSync(join(root, 'linked', 'node_modules'), { recursive: true });
    mkdirSync(linked, { recursive: true });
    symlinkSync(
      join(dirname(dirname(real)), 'node_modules', 'pkg'),
      join(root, 'linked', 'node_modules', 'pkg'),
    );
    expect(installedPackageFile(linked, 'pkg', '.')).toBe(nodeResolve(linked, 'pkg'));
    expect(installedPackageFile(linked, 'pkg', '.')).toBe(
      join(root, 'real', 'node_modules', 'pkg', 'r.js'),
    );
  });
  it('never takes a package from NODE_PATH, which the environment names, where require.resolve does', () => {
    // The attack: the agent starts ironrun with NODE_PATH naming a folder it wrote, where the
    // platform package is not installed; Node's resolver would take the agent's init from there.
    const planted = join(root, 'planted', 'node_modules');
    mkdirSync(join(planted, 'agent-pkg'), { recursive: true });
    writeFileSync(
      join(planted, 'agent-pkg', 'package.json'),
      JSON.stringify({ exports: { './init': './init' } }),
    );
    writeFileSync(join(planted, 'agent-pkg', 'init'), '');
    const from = join(root, 'bare', 'src');
    mkdirSync(from, { recursive: true });
    const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const script = `
      import { createRequire } from 'node:module';
      import { installedPackageFile } from ${JSON.stringify(built)};
      const from = ${JSON.stringify(from)};
      const answer = (f) => { try { return f(); } catch (error) { return 'throws ' + error.code; } };
      console.log(JSON.stringify({
        node: answer(() => createRequire(from + '/index.js').resolve('agent-pkg/init')),
        ours: answer(() => installedPackageFile(from, 'agent-pkg', './init')),
      }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, NODE_PATH: planted },
      encoding: 'utf8',
    });
    expect(child.status, child.stderr).toBe(0);
    const { node, ours } = JSON.parse(child.stdout) as { node: string; ours: string };
    expect(node).toBe(join(planted, 'agent-pkg', 'init'));
    expect(ours).toBe('throws MODULE_NOT_FOUND');
  });
});
