import { maskValues } from './mask-values.js';

/**
 * Registers each value, and every encoding of it that {@link maskValues}
 * lists, with the runner's log masking through `setSecret`
 * (`core.setSecret` of `@actions/core`). The action calls it for the
 * credential inputs as soon as they are read, and as
 * `runSealed({ onSecretsResolved })` for the resolved secrets, which runs
 * after the secrets are resolved and before the command starts: if
 * `setSecret` throws, the command does not start (`SECRETS_HOOK`).
 *
 * @example
 * registerMasks([process.env.INPUT_TOKEN ?? ''], core.setSecret);
 */
export function registerMasks(values: readonly string[], setSecret: (mask: string) => void): void {
  for (const mask of maskValues(values)) setSecret(mask);
}
