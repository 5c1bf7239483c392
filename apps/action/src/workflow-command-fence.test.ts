import { describe, expect, it } from 'vitest';
import { openWorkflowCommandFence } from './workflow-command-fence.js';

function recorder() {
  const log: { stream: 'stdout' | 'stderr'; text: string }[] = [];
  const sink = (stream: 'stdout' | 'stderr') => ({
    write(chunk: string | Uint8Array) {
      log.push({ stream, text: typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString() });
    },
  });
  return { log, streams: { stdout: sink('stdout'), stderr: sink('stderr') } };
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('openWorkflowCommandFence', () => {
  it('stops workflow commands before the first chunk and resumes them after the last', () => {
    const { log, streams } = recorder();
    const fence = openWorkflowCommandFence(streams);
    fence.stdout(bytes('::add-mask::nothing\n'));
    fence.stderr(bytes('::error::forged\n'));
    fence.close();
    const stop = log[0]?.text.match(/^::stop-commands::([0-9a-f]{32})\n$/);
    expect(stop).not.toBeNull();
    expect(log.map((entry) => entry.text)).toEqual([
      log[0]?.text,
      '::add-mask::nothing\n',
      '::error::forged\n',
      `::${stop?.[1]}::\n`,
    ]);
  });

  it('ends an unfinished line before resuming, so the resume token starts a line', () => {
    const { log, streams } = recorder();
    const fence = openWorkflowCommandFence(streams);
    fence.stdout(bytes('no newline'));
    fence.stderr(bytes('half'));
    fence.close();
    expect(log.slice(-3).map((entry) => [entry.stream, entry.text.slice(0, 2)])).toEqual([
      ['stderr', '\n'],
      ['stdout', '\n'],
      ['stdout', '::'],
    ]);
  });

  it('writes nothing when the command printed nothing', () => {
    const { log, streams } = recorder();
    const fence = openWorkflowCommandFence(streams);
    fence.close();
    fence.close();
    expect(log).toEqual([]);
  });

  it('uses a fresh token each time, which the command cannot guess', () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const { log, streams } = recorder();
      const fence = openWorkflowCommandFence(streams);
      fence.stdout(bytes('x\n'));
      tokens.add(log[0]?.text ?? '');
    }
    expect(tokens.size).toBe(20);
  });

  it('drops output that arrives after close, rather than writing it unfenced', () => {
    const { log, streams } = recorder();
    const fence = openWorkflowCommandFence(streams);
    fence.stdout(bytes('a\n'));
    fence.close();
    const before = log.length;
    fence.stdout(bytes('::add-mask::late\n'));
    expect(log.length).toBe(before);
  });
});
