/**
 * The sandbox's PID-namespace init, alone (core's `./namespace-init` entry): for
 * the single-file binary, which is started again as the init of a sealed
 * child's namespace and must not load the CLI on that path.
 */
export {
  isNamespaceInitRequest,
  isSandboxError,
  runNamespaceInit,
} from '@ironrun/core/namespace-init';
