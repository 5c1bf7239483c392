const npmName = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/** The prefix every third-party provider package name carries, after its optional scope. */
export const providerPackagePrefix = 'ironrun-provider-';

/**
 * Whether `name` is an npm package name that follows the provider naming convention:
 * `ironrun-provider-<name>` or `@scope/ironrun-provider-<name>`. Anything path-like
 * (`../x`, `/abs`, `./x`, `x/sub`) is refused: the policy names a package, never a file.
 */
export function isProviderPackageName(name: string): boolean {
  if (name.length > 214 || !npmName.test(name)) return false;
  const bare = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  return bare.startsWith(providerPackagePrefix) && bare.length > providerPackagePrefix.length;
}
