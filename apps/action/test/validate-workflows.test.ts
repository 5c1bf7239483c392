import { testdir } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { validateWorkflows } from './validate-workflows.js';

describe('validate:workflows (action-validator)', () => {
  it('passes action.yml and every workflow of the repository', async () => {
    const result = await validateWorkflows();
    expect(result.output).toContain('action.yml ok');
    expect(result.output).toContain('.github/workflows/ci.yml ok');
    expect(result.output).toContain('.github/workflows/release.yml ok');
    expect(result.code).toBe(0);
  });

  it('fails a workflow with a misspelt step key', async () => {
    const dir = await testdir({
      'w.yml':
        'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ironrun/ironrun@v1\n        wiht:\n          command: deploy\n',
    });
    try {
      const result = await validateWorkflows(dir.path('w.yml'));
      expect(result.code).toBe(1);
      expect(result.output).toContain("Additional property 'wiht' is not allowed");
    } finally {
      await dir.cleanup();
    }
  });

  it('still fails an action.yml on node24 that has another problem (the node24 allowance hides nothing else)', async () => {
    const dir = await testdir({
      'action.yml': 'name: x\nruns:\n  using: node24\n  main: dist/index.js\n',
    });
    try {
      const result = await validateWorkflows(dir.path('action.yml'));
      expect(result.code).toBe(1);
      expect(result.output).toContain('"path":"/description"');
    } finally {
      await dir.cleanup();
    }
  });

  it('fails an action.yml whose runtime no runner knows', async () => {
    const dir = await testdir({
      'action.yml': 'name: x\ndescription: y\nruns:\n  using: node99\n  main: dist/index.js\n',
    });
    try {
      const result = await validateWorkflows(dir.path('action.yml'));
      expect(result.code).toBe(1);
      expect(result.output).toContain('/runs/using');
    } finally {
      await dir.cleanup();
    }
  });
});
