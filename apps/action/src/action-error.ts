const brand = Symbol.for('ironrun.ActionError');

/** What went wrong before the command could run, as a closed set. */
export type ActionErrorCode = 'INPUT_MISSING' | 'INPUT_INVALID';

/**
 * An error in how the action was called (its `with:` inputs). Its message
 * names the input and what was expected; it never holds an input's value,
 * since credentials arrive as inputs.
 */
export class ActionError extends Error {
  override readonly name = 'ActionError';
  /** Which kind of problem this is. */
  readonly code: ActionErrorCode;
  readonly [brand] = true;

  constructor(code: ActionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Whether `value` is an {@link ActionError}, even one from another copy of this code. */
export function isActionError(value: unknown): value is ActionError {
  return (
    typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true
  );
}
