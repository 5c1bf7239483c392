import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allowedGraph } from './allowed-graph.js';
import { findViolations } from './find-violations.js';
import { collectPackageEdges, listWorkspacePackages } from './scan-workspace.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** Builds a throwaway workspace from `{ 'packages/x/src/a.ts': '…' }`. */
function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ironrun-import-graph-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function manifest(name: string, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ name, ...fields });
}

function violationsOf(root: string): string[] {
  const names = listWorkspacePackages(root).map((pkg) => pkg.name);
  return findViolations(collectPackageEdges(root), allowedGraph, names);
}

const lowerPackages = {
  'packages/core/package.json': manifest('@ironrun/core'),
  'packages/policy/package.json': manifest('@ironrun/policy'),
  'packages/sandbox/package.json': manifest('@ironrun/sandbox'),
  'packages/redactor/package.json': manifest('@ironrun/redactor'),
};

describe('findViolations over collectPackageEdges', () => {
  it('catches a planted static import from the redactor into policy', () => {
    const root = workspace({
      ...lowerPackages,
      'packages/redactor/src/sneaky.ts': "import { parsePolicy } from '@ironrun/policy';\n",
    });
    expect(violationsOf(root)).toEqual([
      'packages/redactor/src/sneaky.ts: @ironrun/redactor -> @ironrun/policy',
    ]);
  });

  it('catches a planted dynamic import, a re-export, a type import and a subpath import', () => {
    const root = workspace({
      ...lowerPackages,
      'packages/cli/package.json': manifest('@ironrun/cli'),
      'packages/cli/src/a.ts': "export const load = () => import('@ironrun/sandbox');\n",
      'packages/cli/src/b.ts': "export { parsePolicy } from '@ironrun/policy';\n",
      'packages/cli/src/c.ts': "import type { Redactor } from '@ironrun/redactor';\n",
      'packages/cli/src/d.ts': "import '@ironrun/sandbox/native-init';\n",
    });
    expect(violationsOf(root)).toEqual([
      'packages/cli/src/a.ts: @ironrun/cli -> @ironrun/sandbox',
      'packages/cli/src/b.ts: @ironrun/cli -> @ironrun/policy',
      'packages/cli/src/c.ts: @ironrun/cli -> @ironrun/redactor',
      'packages/cli/src/d.ts: @ironrun/cli -> @ironrun/sandbox',
    ]);
  });

  it('catches a relative import that reaches into another package or out of every package', () => {
    const root = workspace({
      ...lowerPackages,
      'packages/sandbox/src/a.ts': "import { x } from '../../policy/src/parse-policy.js';\n",
      'packages/sandbox/src/b.ts': "import { y } from '../../../scripts/tool.js';\n",
      'packages/sandbox/src/inner/c.ts': "import { z } from '../a.js';\n",
    });
    expect(violationsOf(root)).toEqual([
      'packages/sandbox/src/a.ts: @ironrun/sandbox -> @ironrun/policy',
      'packages/sandbox/src/b.ts: @ironrun/sandbox -> (outside any package)',
    ]);
  });

  it('catches a runtime dependency in package.json and leaves devDependencies to tests', () => {
    const root = workspace({
      ...lowerPackages,
      'packages/mcp/package.json': manifest('@ironrun/mcp', {
        dependencies: { '@ironrun/core': 'workspace:^', '@ironrun/policy': 'workspace:^' },
        peerDependencies: { '@ironrun/sandbox': 'workspace:^' },
        devDependencies: { '@ironrun/redactor': 'workspace:^' },
      }),
    });
    expect(violationsOf(root)).toEqual([
      'packages/mcp/package.json dependencies: @ironrun/mcp -> @ironrun/policy',
      'packages/mcp/package.json peerDependencies: @ironrun/mcp -> @ironrun/sandbox',
    ]);
  });

  it('ignores imports named in comments and strings, test files and allowed edges', () => {
    const root = workspace({
      ...lowerPackages,
      'packages/redactor/src/doc.ts':
        "/** import { parsePolicy } from '@ironrun/policy' */\n// import('@ironrun/sandbox')\nexport const s = \"import '@ironrun/core'\";\n",
      'packages/redactor/src/doc.test.ts': "import { parsePolicy } from '@ironrun/policy';\n",
      'packages/core/src/run.ts':
        "import { parsePolicy } from '@ironrun/policy';\nimport { spawnSealed } from '@ironrun/sandbox';\n",
    });
    expect(violationsOf(root)).toEqual([]);
  });

  it('reports a package that has no place in the allowed graph', () => {
    const root = workspace({ 'packages/surprise/package.json': manifest('@ironrun/surprise') });
    expect(violationsOf(root)).toEqual(['@ironrun/surprise is not in the allowed graph']);
  });
});
