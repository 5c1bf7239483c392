import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InitReportReader, initExitCode, parseInitReport } from './init-report.js';

describe('parseInitReport', () => {
  it('accepts the three reports the init writes', () => {
    expect(parseInitReport('{"type":"started"}')).toEqual({ type: 'started', landlock: 0 });
    expect(parseInitReport('{"type":"started","landlock":7}')).toEqual({
      type: 'started',
      landlock: 7,
    });
    expect(parseInitReport('{"type":"started","landlock":-1}')).toBeUndefined();
    expect(parseInitReport('{"type":"started","landlock":"7"}')).toBeUndefined();
    expect(parseInitReport('{"type":"error","code":"ENOENT"}')).toEqual({
      type: 'error',
      code: 'ENOENT',
    });
    expect(parseInitReport('{"type":"exit","code":3,"signal":null}')).toEqual({
      type: 'exit',
      code: 3,
      signal: null,
    });
    expect(parseInitReport('{"type":"exit","code":null,"signal":"SIGSEGV"}')).toEqual({
      type: 'exit',
      code: null,
      signal: 'SIGSEGV',
    });
  });

  it('refuses an exit code that is not an integer from 0 to 255', () => {
    for (const code of ['"0"', '-1', '256', '1.5', '1e400', 'true', '[]', '{}', '"sk_live_x"']) {
      expect(parseInitReport(`{"type":"exit","code":${code},"signal":null}`)).toBeUndefined();
    }
  });

  it('refuses a signal outside the closed set of signal names', () => {
    for (const signal of ['"SIGNOPE"', '"sigkill"', '"constructor"', '"__proto__"', '9', '""']) {
      expect(parseInitReport(`{"type":"exit","code":null,"signal":${signal}}`)).toBeUndefined();
    }
    expect(parseInitReport('{"type":"exit","code":0,"signal":"SIGKILL"}')).toBeUndefined();
    expect(parseInitReport('{"type":"exit","code":null,"signal":null}')).toBeUndefined();
  });

  it('refuses extra keys, other types, error codes that are not errno names, and long lines', () => {
    expect(parseInitReport('{"type":"started","pid":2}')).toBeUndefined();
    expect(parseInitReport('{"type":"exit","code":0,"signal":null,"x":1}')).toBeUndefined();
    expect(parseInitReport('{"type":"hello"}')).toBeUndefined();
    expect(parseInitReport('{"type":"error","code":"ENOENT secret"}')).toBeUndefined();
    expect(parseInitReport('["started"]')).toBeUndefined();
    expect(parseInitReport(`{"type":"started"}${' '.repeat(300)}`)).toBeUndefined();
  });

  it('accepts nothing but the closed shapes, whatever the bytes (property)', () => {
    fc.assert(
      fc.property(fc.string(), (line) => {
        const report = parseInitReport(line);
        if (report === undefined) return;
        expect(['started', 'error', 'exit']).toContain(report.type);
        if (report.type === 'exit') {
          expect(report.code === null ? typeof report.signal : typeof report.code).toBe(
            report.code === null ? 'string' : 'number',
          );
        }
      }),
    );
  });
});

describe('initExitCode', () => {
  it('is the code, or 128 plus the signal number', () => {
    expect(initExitCode({ code: 7, signal: null })).toBe(7);
    expect(initExitCode({ code: null, signal: 'SIGKILL' })).toBe(137);
  });
});

describe('InitReportReader', () => {
  const feed = (...chunks: string[]) => {
    const reader = new InitReportReader();
    for (const chunk of chunks) reader.push(Buffer.from(chunk, 'latin1'));
    reader.end();
    return reader;
  };

  it('reads reports split across chunks', () => {
    const reader = feed('{"type":"sta', 'rted"}\n{"type":"exit","code":0,', '"signal":null}\n');
    expect(reader.untrusted).toBeUndefined();
    expect(reader.exit).toEqual({ type: 'exit', code: 0, signal: null });
  });

  it('distrusts a forged second exit report, keeping no byte of it', () => {
    const reader = feed(
      '{"type":"started"}\n{"type":"exit","code":0,"signal":null}\n',
      '{"type":"exit","code":3,"signal":null}\n',
    );
    expect(reader.untrusted).toBe('a report after the last one');
  });

  it('distrusts a line that is not a report, and says so without echoing it', () => {
    const reader = feed('{"type":"started"}\nsk_live_0123456789abcdef\n');
    expect(reader.untrusted).toBe('a line that is not a report of the init');
    expect(reader.untrusted).not.toContain('sk_live');
  });

  it('distrusts a flood without a newline, and a line cut off by the end', () => {
    expect(feed('x'.repeat(10_000)).untrusted).toBe('a line longer than any report');
    expect(feed('{"type":"started"}').untrusted).toBe('a report cut off mid-line');
  });
});
