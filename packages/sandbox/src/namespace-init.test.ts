import { describe, expect, it } from 'vitest';
import {
  isNamespaceInitRequest,
  namespaceInitArgument,
  namespaceInitSource,
  runNamespaceInit,
} from './namespace-init.js';
import { isSandboxError } from './sandbox-error.js';

const marker = { IRONRUN_SANDBOX_INIT: '1' };

describe('isNamespaceInitRequest', () => {
  it('accepts the exact launch of a single executable, with and without the repeated executable', () => {
    expect(isNamespaceInitRequest(['/opt/ironrun', namespaceInitArgument], marker)).toBe(true);
    expect(
      isNamespaceInitRequest(['/opt/ironrun', '/opt/ironrun', namespaceInitArgument], marker),
    ).toBe(true);
  });

  it('ignores the argument without the environment marker', () => {
    expect(isNamespaceInitRequest(['/opt/ironrun', namespaceInitArgument], {})).toBe(false);
    expect(
      isNamespaceInitRequest(['/opt/ironrun', namespaceInitArgument], {
        IRONRUN_SANDBOX_INIT: 'yes',
      }),
    ).toBe(false);
  });

  it('ignores the marker anywhere but as the only argument', () => {
    for (const argv of [
      ['/opt/ironrun'],
      ['/opt/ironrun', 'run', namespaceInitArgument],
      ['/opt/ironrun', namespaceInitArgument, 'run'],
      ['/opt/ironrun', `${namespaceInitArgument}=1`],
      ['/opt/ironrun', '/opt/ironrun', 'mcp'],
    ]) {
      expect(isNamespaceInitRequest(argv, marker)).toBe(false);
    }
  });
});

describe('runNamespaceInit', () => {
  it('refuses to start outside a namespace spawnSealed created (not PID 1, no IPC channel)', () => {
    let caught: unknown;
    try {
      runNamespaceInit();
    } catch (error) {
      caught = error;
    }
    expect(isSandboxError(caught) && caught.code).toBe('INVALID_OPTIONS');
    expect((caught as Error).message).toContain(namespaceInitArgument);
  });

  it('evaluates as a function body, the way runNamespaceInit runs it', () => {
    expect(() => new Function('require', namespaceInitSource)).not.toThrow();
  });
});
