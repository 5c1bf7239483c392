import { describe, expect, it } from 'vitest';
import { approvalMessage } from './ask-approval.js';

describe('approvalMessage', () => {
  it('an agent-written description cannot rewrite the screen to hide the arguments it chose', () => {
    // The agent edits the description so that, printed raw, it erases the line and
    // reverses what follows: the person would read a harmless run.
    const message = approvalMessage({
      commandId: 'deploy',
      description: 'deploy staging\x1b[1A\x1b[2K\r\u202e',
      argv: ['./deploy.sh', '--target=prod\u200b', 'evil\x1b]0;title\x07'],
      refs: ['envfile://API_TOKEN'],
    });
    expect(message).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b\u202e]/);
    expect(message).toContain('Description: deploy staging\\u{1b}[1A\\u{1b}[2K\\r\\u{202e}');
    expect(message).toContain('[1] --target=prod\\u{200b}');
    expect(message).toContain('[2] evil\\u{1b}]0;title\\u{7}');
    expect(message).toMatch(/Warning: some values hold bidi, control, invisible characters/);
  });

  it('shows every argv word and reference, and no warning for plain text', () => {
    const message = approvalMessage({
      commandId: 'deploy',
      description: 'ships it',
      argv: ['./deploy.sh', 'staging'],
      refs: ['envfile://A', 'envfile://B'],
    });
    expect(message).toContain('"deploy"');
    expect(message).toContain('  [0] ./deploy.sh\n  [1] staging\n');
    expect(message).toContain('envfile://A, envfile://B');
    expect(message).not.toContain('Warning');
  });
});
