export type { CliErrorCode } from './cli-error.js';
export { CliError, isCliError } from './cli-error.js';
export type { CliIo } from './cli-io.js';
export type { ExitCodeValue } from './exit-code.js';
export { ExitCode } from './exit-code.js';
export type {
  GuardDecision,
  GuardRules,
  HookInput,
  ProtectedPath,
} from './guard/guard-decision.js';
export { decideGuard, hookOutput } from './guard/guard-decision.js';
export { runCli } from './main.js';
