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

/**
 * Removes ironrun's marked section (and the blank line that set it apart)
 * from an instruction file. Returns `undefined` when there is none.
 */
export function removeMarkedSection(existing: string | undefined): string | undefined {
  if (existing === undefined) return undefined;
  const start = existing.indexOf(sectionStart);
  const end = start === -1 ? -1 : existing.indexOf(sectionEnd, start);
  if (start === -1 || end === -1) return undefined;
  let after = end + sectionEnd.length;
  if (existing[after] === '\n') after++;
  let before = existing.slice(0, start);
  if (before.endsWith('\n\n')) before = before.slice(0, -1);
  return before + existing.slice(after);
}
