import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createRedactor } from '@ironrun/core';
import { useTestdir } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { LeakScanner } from './leak-scanner.js';
import { defaultTranscriptRoots, transcriptFiles } from './transcript-files.js';

const secret = 'sk_live_"q"\\b/é\tStoreTest0123';

/** One chat file per store, in that store's shape, each holding the secret as that store would. */
function stores(): Record<string, { path: string; text: string | Buffer }> {
  const toolResult = JSON.stringify({ stdout: `KEY=${secret}` });
  return {
    'Claude Code': {
      path: '.claude/projects/-work-app/3f2a.jsonl',
      text: `${JSON.stringify({ type: 'user', message: { content: [{ type: 'tool_result', content: toolResult }] } })}\n`,
    },
    Codex: {
      path: '.codex/sessions/2026/12/02/rollout-1.jsonl',
      text: `${JSON.stringify({ type: 'response_item', payload: { type: 'function_call_output', output: JSON.stringify({ output: toolResult }) } })}\n`,
    },
    'Gemini CLI': {
      path: '.gemini/tmp/app/chats/session-2026-12-02T10-00-ab12cd34.json',
      text: JSON.stringify(
        {
          sessionId: 'ab12cd34',
          messages: [
            {
              type: 'gemini',
              toolCalls: [{ result: [{ functionResponse: { response: { output: toolResult } } }] }],
            },
          ],
        },
        null,
        2,
      ),
    },
    'Cursor transcripts': {
      path: '.cursor/projects/work-app/agent-transcripts/9e.jsonl',
      text: `${JSON.stringify({ role: 'tool', content: toolResult })}\n`,
    },
    'Cursor state.vscdb': {
      path: '.config/Cursor/User/globalStorage/state.vscdb',
      text: Buffer.concat([
        Buffer.from('SQLite format 3\0'),
        Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 13]),
        Buffer.from(`composerData:1${JSON.stringify({ text: toolResult })}`),
        Buffer.from([0, 0, 0xff]),
      ]),
    },
    'VS Code chatSessions': {
      path: '.config/Code/User/workspaceStorage/5d1c/chatSessions/7a.json',
      text: JSON.stringify({ requests: [{ response: [{ value: toolResult }] }] }),
    },
    'Windsurf state.vscdb': {
      path: '.config/Windsurf/User/workspaceStorage/8b/state.vscdb',
      text: Buffer.concat([Buffer.from('SQLite format 3\0\x01'), Buffer.from(toolResult)]),
    },
  };
}

describe('defaultTranscriptRoots and transcriptFiles', () => {
  const makeHome = useTestdir();

  it.each(Object.keys(stores()))('finds a leaked value in the %s store', async (store) => {
    const home = (await makeHome()).dir;
    const { path, text } = stores()[store] as { path: string; text: string | Buffer };
    await mkdir(dirname(join(home, path)), { recursive: true });
    await writeFile(join(home, path), text);
    const files: string[] = [];
    for (const root of defaultTranscriptRoots(home, 'linux')) {
      for await (const file of transcriptFiles(root.path, root.extensions)) files.push(file);
    }
    expect(files).toEqual([join(home, path)]);
    const scanner = new LeakScanner(createRedactor, [
      {
        secret: { ref: 'envfile://KEY', value: secret, usedBy: ['deploy.KEY'] },
        redactor: createRedactor({ secrets: [secret] }),
      },
    ]);
    const findings = await scanner.scanFile(join(home, path));
    expect(findings.map((finding) => finding.ref)).toEqual(['envfile://KEY']);
  });

  it('uses the macOS and Windows user-data folders of the editors', () => {
    const mac = defaultTranscriptRoots('/Users/me', 'darwin').map((root) => root.path);
    expect(mac).toContain('/Users/me/Library/Application Support/Cursor/User/workspaceStorage');
    const windows = defaultTranscriptRoots('/home/x', 'win32').map((root) => root.path);
    expect(windows).toContain(
      join('/home/x', 'AppData', 'Roaming', 'Code', 'User', 'globalStorage'),
    );
  });
});
