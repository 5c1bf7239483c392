/**
 * The sandbox's PID-namespace init, alone: a program that is started again as
 * the init of a sealed child's namespace (the single-file binary, whose
 * `execPath` cannot run `node -e`) checks {@link isNamespaceInitRequest} first
 * and then runs {@link runNamespaceInit}, without loading the rest of core.
 */
export { isNamespaceInitRequest, isSandboxError, runNamespaceInit } from '@ironrun/sandbox';
