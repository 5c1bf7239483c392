import type { ConfirmRequest } from '@ironrun/core';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';

/** The text a person sees when a `confirm: true` command asks to run. */
export function approvalMessage(request: ConfirmRequest): string {
  const lines = [`An agent asks ironrun to run the command "${request.commandId}".`];
  if (request.description !== undefined) lines.push(`Description: ${request.description}`);
  lines.push(`Argv: ${JSON.stringify(request.argv)}`);
  lines.push(
    request.refs.length === 0
      ? 'It receives no secrets.'
      : `It receives these secrets (by reference; values are never shown): ${request.refs.join(', ')}`,
  );
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
