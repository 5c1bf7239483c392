import type { AllowedGraph } from './find-violations.js';

const builtinProviders = [
  '@ironrun/providers-1password',
  '@ironrun/providers-doppler',
  '@ironrun/providers-envfile',
  '@ironrun/providers-infisical',
];

/**
 * The package graph of docs/architecture.md. Core is the one place that composes policy,
 * provider, sandbox and redactor (and loads the built-in providers); providers build on the
 * provider interface only; mcp, cli and the Action reach the rest through core (the Action's
 * mask list may come from the redactor); the binary wraps the cli. The redactor, sandbox,
 * policy, provider and test-utils depend on no other ironrun package (the sandbox only on its
 * per-platform native init packages), and no production source
 * imports test-utils.
 */
export const allowedGraph: AllowedGraph = {
  '@ironrun/redactor': [],
  // The prebuilt native inits, chosen at run time (esbuild's pattern): binaries, no imports.
  '@ironrun/sandbox': ['@ironrun/sandbox-linux-x64', '@ironrun/sandbox-linux-arm64'],
  '@ironrun/sandbox-linux-x64': [],
  '@ironrun/sandbox-linux-arm64': [],
  '@ironrun/policy': [],
  '@ironrun/provider': [],
  '@ironrun/test-utils': [],
  '@ironrun/providers-1password': ['@ironrun/provider'],
  '@ironrun/providers-doppler': ['@ironrun/provider'],
  '@ironrun/providers-envfile': ['@ironrun/provider'],
  '@ironrun/providers-infisical': ['@ironrun/provider'],
  'ironrun-provider-example': ['@ironrun/provider'],
  '@ironrun/core': [
    '@ironrun/policy',
    '@ironrun/provider',
    '@ironrun/sandbox',
    '@ironrun/redactor',
    ...builtinProviders,
  ],
  '@ironrun/mcp': ['@ironrun/core'],
  '@ironrun/cli': ['@ironrun/core', '@ironrun/mcp'],
  '@ironrun/action': ['@ironrun/core', '@ironrun/redactor'],
  '@ironrun/binary': ['@ironrun/cli'],
};
