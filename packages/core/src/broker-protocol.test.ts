import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeFrame,
  FrameDecoder,
  isProtocolProblem,
  maxClientFrameBytes,
  parseBrokerMessage,
  parseClientMessage,
} from './broker-protocol.js';

function frameOf(body: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

describe('FrameDecoder', () => {
  it('returns every frame whatever the chunk boundaries', () => {
    const messages = [
      { type: 'hello', version: 1 },
      { type: 'list', id: 1, policy: '/repo/ironrun.yml' },
      { type: 'cancel', id: 7 },
    ] as const;
    const bytes = Buffer.concat(messages.map((message) => encodeFrame(message)));
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: bytes.length }), { maxLength: 20 }),
        (cuts) => {
          const decoder = new FrameDecoder(maxClientFrameBytes);
          const points = [...new Set([0, ...cuts, bytes.length])].sort((a, b) => a - b);
          const values: unknown[] = [];
          for (let i = 1; i < points.length; i++) {
            const decoded = decoder.push(bytes.subarray(points[i - 1], points[i]));
            if (isProtocolProblem(decoded)) throw new Error(decoded.problem);
            values.push(...decoded.values);
          }
          expect(values).toEqual(messages);
        },
      ),
    );
  });

  it('refuses an oversized frame from its length alone, without buffering it', () => {
    const decoder = new FrameDecoder(1024);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(0xffffffff, 0);
    const decoded = decoder.push(Buffer.concat([encodeFrame({ type: 'cancel', id: 1 }), head]));
    expect(decoded).toEqual({
      values: [{ type: 'cancel', id: 1 }],
      problem: 'a frame of 4294967295 bytes is over the limit of 1024',
    });
    // Once broken, the stream stays broken.
    expect(decoder.push(encodeFrame({ type: 'cancel', id: 1 })).problem).toBeDefined();
  });

  it('refuses a frame that is not UTF-8 JSON', () => {
    for (const body of [Buffer.from('{"type":'), Buffer.from([0xff, 0xfe, 0x7b, 0x7d])]) {
      const decoded = new FrameDecoder(1024).push(frameOf(body));
      expect(decoded).toEqual({ values: [], problem: 'a frame is not UTF-8 JSON' });
    }
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }), (chunks) => {
        const decoder = new FrameDecoder(256);
        for (const chunk of chunks) decoder.push(chunk);
      }),
    );
  });
});

describe('parseClientMessage', () => {
  it('accepts each well-formed request', () => {
    for (const message of [
      { type: 'hello', version: 1 },
      { type: 'list', id: 1, policy: '/repo/ironrun.yml' },
      {
        type: 'run',
        id: 2,
        policy: '/repo/ironrun.yml',
        command: 'test',
        args: ['-v'],
        stream: true,
      },
      { type: 'cancel', id: 2 },
    ]) {
      expect(parseClientMessage(message)).toEqual(message);
    }
  });

  it('refuses unknown fields, so nothing rides along unchecked', () => {
    const parsed = parseClientMessage({ type: 'cancel', id: 1, configDir: '/tmp/forged' });
    expect(isProtocolProblem(parsed) && parsed.problem).toBe('cancel: unknown field "configDir"');
  });

  it('refuses a relative policy path, a zero id and an oversized argument list', () => {
    const base = {
      type: 'run',
      id: 1,
      policy: '/p/ironrun.yml',
      command: 'x',
      args: [],
      stream: false,
    };
    for (const bad of [
      { ...base, policy: 'ironrun.yml' },
      { ...base, policy: '/p/\0/ironrun.yml' },
      { ...base, id: 0 },
      { ...base, id: 1.5 },
      { ...base, command: '' },
      { ...base, args: Array.from({ length: 257 }, () => 'a') },
      { ...base, args: [1] },
      { ...base, stream: 'yes' },
    ]) {
      expect(isProtocolProblem(parseClientMessage(bad))).toBe(true);
    }
  });

  it('does not echo what it refused (an attacker chooses those bytes)', () => {
    const hostile = `k${'\u001b[2J'.repeat(50)}`;
    const parsed = parseClientMessage({ type: 'hello', version: 1, [hostile]: 1 });
    expect(isProtocolProblem(parsed)).toBe(true);
    expect(JSON.stringify(parsed)).not.toContain('\u001b');
  });

  it('never throws and never accepts a shape it does not know (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const parsed = parseClientMessage(value);
        if (isProtocolProblem(parsed)) return;
        expect(['hello', 'list', 'run', 'cancel']).toContain((parsed as { type: string }).type);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseBrokerMessage', () => {
  /** A well-formed result of a sealed run, as the broker sends it. */
  const sealedResult = {
    exitCode: 0,
    signal: null,
    durationMs: 3,
    stdout: 'ok',
    stderr: '',
    timedOut: false,
    canceled: false,
    truncated: false,
    redactions: 0,
    stdoutBytes: 2,
    stderrBytes: 0,
  };

  it('refuses a result with a field it does not know or a wrong type', () => {
    const result = sealedResult;
    expect(isProtocolProblem(parseBrokerMessage({ type: 'result', id: 1, result }))).toBe(false);
    for (const bad of [
      { ...result, env: { TOKEN: 'x' } },
      { ...result, exitCode: '0' },
      { ...result, redactions: -1 },
    ]) {
      expect(isProtocolProblem(parseBrokerMessage({ type: 'result', id: 1, result: bad }))).toBe(
        true,
      );
    }
  });

  it('accepts the isolation a sealed run reports, Landlock and seccomp included', () => {
    const result = {
      ...sealedResult,
      isolation: {
        kind: 'namespaces',
        init: 'native',
        bestEffort: false,
        landlock: true,
        seccomp: true,
      },
    };
    expect(isProtocolProblem(parseBrokerMessage({ type: 'result', id: 1, result }))).toBe(false);
    const smuggled = { ...result, isolation: { ...result.isolation, landlock: 'TOKEN' } };
    expect(isProtocolProblem(parseBrokerMessage({ type: 'result', id: 1, result: smuggled }))).toBe(
      true,
    );
    const smuggledSeccomp = { ...result, isolation: { ...result.isolation, seccomp: 'TOKEN' } };
    expect(
      isProtocolProblem(parseBrokerMessage({ type: 'result', id: 1, result: smuggledSeccomp })),
    ).toBe(true);
  });

  it('accepts the isolation of a broker from before the seccomp field (no seccomp key)', () => {
    const result = {
      ...sealedResult,
      isolation: { kind: 'namespaces', init: 'native', bestEffort: false, landlock: false },
    };
    expect(isProtocolProblem(parseBrokerMessage({ type: 'result', id: 1, result }))).toBe(false);
  });

  it('refuses output that is not base64', () => {
    const message = { type: 'output', id: 1, stream: 'stdout', data: 'not base64!' };
    expect(isProtocolProblem(parseBrokerMessage(message))).toBe(true);
  });

  it('never throws on arbitrary JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        parseBrokerMessage(value);
      }),
      { numRuns: 2000 },
    );
  });
});
