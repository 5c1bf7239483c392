/** The markers around the section ironrun owns in an instruction file. */
export const sectionStart = '<!-- ironrun:start -->';
export const sectionEnd = '<!-- ironrun:end -->';

/**
 * Puts `body` between ironrun's markers in an instruction file: replaces the
 * marked section if there is one, appends it otherwise, and leaves every
 * other line as it was. Returns `undefined` when nothing would change.
 */
export function upsertMarkedSection(
  existing: string | undefined,
  body: string,
): string | undefined {
  const section = `${sectionStart}\n${body.trim()}\n${sectionEnd}\n`;
  if (existing === undefined || existing.trim() === '') return section;
  const start = existing.indexOf(sectionStart);
  const end = existing.indexOf(sectionEnd, start === -1 ? 0 : start);
  if (start !== -1 && end !== -1) {
    let after = end + sectionEnd.length;
    if (existing[after] === '\n') after++;
    const next = existing.slice(0, start) + section + existing.slice(after);
    return next === existing ? undefined : next;
  }
  const separator = existing.endsWith('\n\n') ? '' : existing.endsWith('\n') ? '\n' : '\n\n';
  return existing + separator + section;
}

/** The instructions ironrun gives agents in `CLAUDE.md` and `AGENTS.md`. */
export function agentInstructions(commandIds: readonly string[]): string {
  const ids =
    commandIds.length > 0 ? commandIds.map((id) => `\`${id}\``).join(', ') : 'see `list_commands`';
  return [
    '## Commands that need secrets run through ironrun',
    '',
    "This project's commands run through [ironrun](https://github.com/ironrun/ironrun): it injects",
    'secrets from the vault into a sealed process and returns the output with every secret value',
    'replaced by `[REDACTED]`.',
    '',
    `- Run the project's commands (${ids}) with the \`run_sealed\` tool of the \`ironrun\` MCP server,`,
    '  or `ironrun run <id>` in a shell. `list_commands` (or `ironrun list`) shows the ids.',
    '- Never run those commands directly, never call the vault CLIs (`op`, `doppler`, `infisical`),',
    '  and never read or print the secrets file or vault tokens.',
    '- Never run `ironrun trust`, and do not edit `ironrun.yml` or the files it runs to get around a',
    '  refusal: a changed policy is refused until a person reviews and trusts it again.',
    '- `[REDACTED]` in the output is expected: it is where a secret was.',
    '- Started under `ironrun agent`, nothing changes for you: the same tools and commands work, and',
    '  forward to ironrun outside; secrets, vault files and trust records are simply not there.',
  ].join('\n');
}
