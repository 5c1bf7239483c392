import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allowedGraph } from './allowed-graph.js';
import { findViolations } from './find-violations.js';
import { knownViolations } from './known-violations.js';
import { collectPackageEdges, listWorkspacePackages } from './scan-workspace.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('the ironrun package graph', () => {
  const names = listWorkspacePackages(root).map((pkg) => pkg.name);
  const violations = findViolations(collectPackageEdges(root), allowedGraph, names);

  it('scans the real workspace', () => {
    expect(names).toEqual(expect.arrayContaining(['@ironrun/core', '@ironrun/cli']));
  });

  it('has no import or dependency outside the allowed graph beyond the known violations', () => {
    const unexpected = violations.filter((violation) => !knownViolations.includes(violation));
    expect(
      unexpected,
      'route these through core, or place a new package in allowed-graph.ts',
    ).toEqual([]);
  });

  it('lists no known violation that no longer occurs (remove fixed ones from known-violations.ts)', () => {
    const stale = knownViolations.filter((violation) => !violations.includes(violation));
    expect(stale).toEqual([]);
  });

  it('lists each known violation once', () => {
    expect(new Set(knownViolations).size).toBe(knownViolations.length);
  });
});
