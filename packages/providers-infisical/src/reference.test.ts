import { isProviderError } from '@ironrun/provider';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseInfisicalReference } from './reference.js';

const options = { projectId: 'proj-1', environment: 'prod', path: '/backend' };

describe('parseInfisicalReference', () => {
  it('puts infisical://NAME in the folder of the path option', () => {
    expect(parseInfisicalReference('infisical://STRIPE_KEY', options)).toEqual({
      ref: 'infisical://STRIPE_KEY',
      projectId: 'proj-1',
      environment: 'prod',
      path: '/backend',
      name: 'STRIPE_KEY',
    });
  });

  it('reads an absolute folder path from infisical:///path/to/NAME', () => {
    expect(parseInfisicalReference('infisical:///payments/eu/STRIPE_KEY', options)).toMatchObject({
      path: '/payments/eu',
      name: 'STRIPE_KEY',
    });
    expect(parseInfisicalReference('infisical:///STRIPE_KEY', options)).toMatchObject({
      path: '/',
    });
  });

  it('lets ?env= and ?project= override the options', () => {
    expect(
      parseInfisicalReference('infisical://KEY?env=dev&project=proj-2', options),
    ).toMatchObject({
      projectId: 'proj-2',
      environment: 'dev',
    });
  });

  it('asks for an environment when neither the options nor the reference give one', () => {
    expect(() => parseInfisicalReference('infisical://KEY', { projectId: 'p', path: '/' })).toThrow(
      expect.objectContaining({
        code: 'CONFIG',
        message: expect.stringContaining("'environment'"),
      }),
    );
  });

  it.each([
    'infisical://a/KEY',
    'infisical:///a/../KEY',
    'infisical:///a//KEY',
    'infisical:///a/',
    'infisical://KEY?env=',
    'infisical://KEY?env=dev&env=prod',
    'infisical://KEY?path=/x',
    'infisical://KEY?env=a b',
    'infisical://%2e%2e',
    'vault://KEY',
  ])('refuses %s with INVALID_REFERENCE naming it', (ref) => {
    expect(() => parseInfisicalReference(ref, options)).toThrow(
      expect.objectContaining({ code: 'INVALID_REFERENCE', refs: [ref] }),
    );
  });

  it('path traversal or query smuggling never survives parsing, whatever the reference', () => {
    fc.assert(
      fc.property(
        fc.string().map((tail) => `infisical://${tail}`),
        (ref) => {
          try {
            const parsed = parseInfisicalReference(ref, options);
            expect(parsed.path).toMatch(/^\/([A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*)?$/);
            expect(parsed.path.split('/')).not.toContain('..');
            expect(parsed.name).toMatch(/^[A-Za-z0-9_.-]+$/);
            expect(parsed.environment).toMatch(/^[A-Za-z0-9_-]+$/);
          } catch (error) {
            expect(isProviderError(error)).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
