/**
 * Today's edges outside the allowed graph, exactly as findViolations writes them. The test
 * fails on a violation not listed here and on an entry that no longer occurs, so this list only
 * shrinks: whoever fixes an edge removes its line.
 */
export const knownViolations: readonly string[] = [
  'apps/action/src/builtin-providers.ts: @ironrun/action -> @ironrun/providers-1password',
  'apps/action/src/builtin-providers.ts: @ironrun/action -> @ironrun/providers-doppler',
  'apps/action/src/builtin-providers.ts: @ironrun/action -> @ironrun/providers-envfile',
  'apps/action/src/builtin-providers.ts: @ironrun/action -> @ironrun/providers-infisical',
  'apps/ironrun/src/ironrun.ts: @ironrun/binary -> @ironrun/sandbox',
  'packages/cli/package.json dependencies: @ironrun/cli -> @ironrun/policy',
  'packages/cli/package.json dependencies: @ironrun/cli -> @ironrun/provider',
  'packages/cli/package.json dependencies: @ironrun/cli -> @ironrun/providers-1password',
  'packages/cli/package.json dependencies: @ironrun/cli -> @ironrun/providers-doppler',
  'packages/cli/package.json dependencies: @ironrun/cli -> @ironrun/providers-envfile',
  'packages/cli/package.json dependencies: @ironrun/cli -> @ironrun/providers-infisical',
  'packages/cli/src/builtin-providers.ts: @ironrun/cli -> @ironrun/providers-1password',
  'packages/cli/src/builtin-providers.ts: @ironrun/cli -> @ironrun/providers-doppler',
  'packages/cli/src/builtin-providers.ts: @ironrun/cli -> @ironrun/providers-envfile',
  'packages/cli/src/builtin-providers.ts: @ironrun/cli -> @ironrun/providers-infisical',
  'packages/cli/src/resolve-policy-secrets.ts: @ironrun/cli -> @ironrun/policy',
  'packages/cli/src/resolve-policy-secrets.ts: @ironrun/cli -> @ironrun/provider',
];
