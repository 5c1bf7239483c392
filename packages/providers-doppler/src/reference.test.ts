import { isProviderError } from '@ironrun/provider';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDopplerReference } from './reference.js';

const none = {};
const scoped = { project: 'backend', config: 'prd' };

describe('parseDopplerReference', () => {
  it('takes project and config from the options for doppler://NAME', () => {
    expect(parseDopplerReference('doppler://STRIPE_KEY', scoped)).toEqual({
      ref: 'doppler://STRIPE_KEY',
      project: 'backend',
      config: 'prd',
      name: 'STRIPE_KEY',
    });
  });

  it('takes project and config from the reference for doppler://PROJECT/CONFIG/NAME', () => {
    expect(parseDopplerReference('doppler://web/dev_personal/SENTRY_DSN', scoped)).toMatchObject({
      project: 'web',
      config: 'dev_personal',
      name: 'SENTRY_DSN',
    });
  });

  it("leaves project and config empty for a service token's own scope", () => {
    expect(parseDopplerReference('doppler://_KEY1', none)).toMatchObject({
      project: '',
      config: '',
    });
  });

  it('refuses options that name a project without a config', () => {
    expect(() => parseDopplerReference('doppler://KEY', { project: 'backend' })).toThrow(
      expect.objectContaining({ code: 'CONFIG' }),
    );
  });

  it.each([
    ['envfile://KEY', 'another scheme'],
    ['doppler://', 'an empty name'],
    ['doppler://stripe_key', 'a lower-case name'],
    ['doppler://1KEY', 'a name starting with a digit'],
    ['doppler://A,B', 'a comma that would split the download list'],
    ['doppler://backend/KEY', 'two segments'],
    ['doppler://a/b/c/KEY', 'four segments'],
    ['doppler://back end/prd/KEY', 'a space in the project'],
    ['doppler://backend/prd?x=1/KEY', 'query syntax in the config'],
    ['doppler:///prd/KEY', 'an empty project'],
  ])('refuses %s (%s) with INVALID_REFERENCE naming it', (ref) => {
    let caught: unknown;
    try {
      parseDopplerReference(ref, scoped);
    } catch (error) {
      caught = error;
    }
    expect(isProviderError(caught)).toBe(true);
    expect(caught).toMatchObject({ code: 'INVALID_REFERENCE', refs: [ref] });
    expect((caught as Error).message).toContain(JSON.stringify(ref));
  });

  it('never lets URL or list syntax reach the download query, whatever the reference', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((tail) => `doppler://${tail}`),
        ),
        (ref) => {
          try {
            const parsed = parseDopplerReference(ref, scoped);
            for (const part of [parsed.project, parsed.config, parsed.name]) {
              expect(part).toMatch(/^[A-Za-z0-9_.-]+$/);
            }
          } catch (error) {
            expect(isProviderError(error)).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
