import type { ConfirmRequest } from '@ironrun/core';
import { escapeForReview, type ReviewText } from '@ironrun/core';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';

/**
 * The text a person sees when a `confirm: true` command asks to run. Every
 * value from the policy or the agent (description, each argv word, the
 * references) is escaped with `escapeForReview`: the client shows the
 * message in its own UI, often a terminal, where an escape sequence or a
 * bidirectional control in the description could hide or rewrite the
 * arguments the agent chose. Flagged values get a warning line.
 */
export function approvalMessage(request: ConfirmRequest): string {
  const escaped: ReviewText[] = [];
  const show = (raw: string) => {
    const review = escapeForReview(raw);
    escaped.push(review);
    return review.text;
  };
  const lines = [`An agent asks ironrun to run the command "${show(request.commandId)}".`];
  if (request.description !== undefined) lines.push(`Description: ${show(request.description)}`);
  lines.push('Argv (one word per line, escaped):');
  for (const [index, word] of request.argv.entries()) lines.push(`  [${index}] ${show(word)}`);
  const refs = request.refs.map(show);
  lines.push(
    refs.length === 0
      ? 'It receives no secrets.'
      : `It receives these secrets (by reference; values are never shown): ${refs.join(', ')}`,
  );
  const flags = new Set(escaped.flatMap((review) => review.flags));
  if (flags.size > 0) {
    lines.push(
      `Warning: some values hold ${[...flags].join(', ')} characters (control, bidirectional and invisible ones are shown as \\u{…}); they may look like something else.`,
    );
  }
  lines.push('Approve only if you expected this run.');
  return lines.join('\n');
}

/**
 * Returns a `confirm` function for `runSealed` that asks a person through MCP
 * elicitation, or `undefined` when the client did not declare the
 * `elicitation` capability (no way to ask means no run).
 */
export function elicitApproval(
  server: Server,
  signal: AbortSignal,
  timeoutMs: number,
): ((request: ConfirmRequest) => Promise<boolean>) | undefined {
  if (server.getClientCapabilities()?.elicitation === undefined) return undefined;
  return async (request) => {
    const answer = await server.elicitInput(
      {
        mode: 'form',
        message: approvalMessage(request),
        requestedSchema: {
          type: 'object',
          properties: {
            approve: {
              type: 'boolean',
              title: `Run ${request.commandId}`,
              description: 'Check to let this command run once with its secrets.',
              default: false,
            },
          },
          required: ['approve'],
        },
      },
      { signal, timeout: timeoutMs },
    );
    // Accepting the form without ticking the box is not an approval.
    return answer.action === 'accept' && answer.content?.approve === true;
  };
}
