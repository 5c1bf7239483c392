import { describe, expect, it } from 'vitest';
import { ProviderError } from '../provider-error.js';
import {
  assertNoValue,
  assertResults,
  errorTexts,
  isAbortRejection,
} from './conformance-checks.js';

const fixtures = { found: { 'x://A': 'value-of-a' }, missing: ['x://B'] };
const values = { 'x://A': 'value-of-a' };

describe('assertResults', () => {
  it('accepts the expected answers in order', () => {
    expect(() =>
      assertResults(
        fixtures,
        ['x://B', 'x://A'],
        [
          { ref: 'x://B', found: false, reason: 'no such key' },
          { ref: 'x://A', found: true, value: 'value-of-a' },
        ],
      ),
    ).not.toThrow();
  });

  it.each([
    [
      'results out of order',
      [
        { ref: 'x://A', found: true, value: 'value-of-a' },
        { ref: 'x://B', found: false },
      ],
    ],
    [
      'a wrong value',
      [
        { ref: 'x://B', found: false },
        { ref: 'x://A', found: true, value: 'value-of-b' },
      ],
    ],
    [
      'a missing reference reported found',
      [
        { ref: 'x://B', found: true, value: 'x' },
        { ref: 'x://A', found: true, value: 'value-of-a' },
      ],
    ],
    [
      'a not-found result that carries a value',
      [
        { ref: 'x://B', found: false, value: '' },
        { ref: 'x://A', found: true, value: 'value-of-a' },
      ],
    ],
    ['a dropped duplicate', [{ ref: 'x://A', found: true, value: 'value-of-a' }]],
    ['a non-array', {}],
  ])('fails a provider returning %s', (_, results) => {
    expect(() => assertResults(fixtures, ['x://B', 'x://A'], results)).toThrow();
  });
});

describe('errorTexts and assertNoValue', () => {
  it('catches a value in the message', () => {
    const texts = errorTexts(new ProviderError('AUTH', 'bad token value-of-a'));
    expect(() => assertNoValue(texts, values, 'error')).toThrow(/x:\/\/A/);
  });

  it('catches a value deep in the cause chain', () => {
    const error = new ProviderError('NETWORK', 'clean', {
      cause: new Error('wrapper', { cause: new Error('response body: value-of-a') }),
    });
    expect(() => assertNoValue(errorTexts(error), values, 'error')).toThrow();
  });

  it('catches a value in an own property', () => {
    const error = Object.assign(new Error('clean'), { response: { body: 'value-of-a' } });
    expect(() => assertNoValue(errorTexts(error), values, 'error')).toThrow();
  });

  it('passes a clean error', () => {
    const error = new ProviderError('AUTH', 'x: token refused for x://A', {
      cause: new Error('401'),
    });
    expect(() => assertNoValue(errorTexts(error), values, 'error')).not.toThrow();
  });
});

describe('isAbortRejection', () => {
  it('accepts TIMEOUT, the signal reason, and an AbortError', () => {
    const controller = new AbortController();
    controller.abort();
    expect(isAbortRejection(new ProviderError('TIMEOUT', 'aborted'), controller.signal)).toBe(true);
    expect(isAbortRejection(controller.signal.reason, controller.signal)).toBe(true);
    const abortError = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(isAbortRejection(abortError, controller.signal)).toBe(true);
  });

  it('refuses other errors', () => {
    const controller = new AbortController();
    controller.abort();
    expect(isAbortRejection(new ProviderError('AUTH', 'no'), controller.signal)).toBe(false);
    expect(isAbortRejection(new Error('no'), controller.signal)).toBe(false);
  });
});
