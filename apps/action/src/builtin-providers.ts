/**
 * The providers bundled into the action, loaded lazily by name. Each is a
 * static `import()` so esbuild inlines the provider (and its vault SDK) into
 * the one bundled file; none is evaluated unless the policy names it.
 */
export const builtinProviders: Readonly<Record<string, () => Promise<unknown>>> = {
  envfile: () => import('@ironrun/providers-envfile'),
  doppler: () => import('@ironrun/providers-doppler'),
  infisical: () => import('@ironrun/providers-infisical'),
  '1password': () => import('@ironrun/providers-1password'),
};
