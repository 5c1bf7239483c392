import { defineProvider } from '@ironrun/provider';
import manifest from '../package.json' with { type: 'json' };
import { createOnePasswordProvider } from './onepassword-provider.js';
import { type OnePasswordOptions, parseOnePasswordOptions } from './options.js';

/**
 * The 1Password provider: resolves `op://vault/item/field` and
 * `op://vault/item/section/field`, validated offline first. With a service-account token
 * (`OP_SERVICE_ACCOUNT_TOKEN`) it uses `@1password/sdk` (`client.secrets.resolveAll`, one
 * call per run); without one it runs the `op` CLI (`op read --no-newline`), so desktop-app
 * sign-in with its biometric prompt works.
 *
 * Options (`provider_options` in `ironrun.yml`): `mode` (`auto` | `sdk` | `cli`, default
 * `auto`), `token_env` (default `OP_SERVICE_ACCOUNT_TOKEN`), `op_path`, `account`.
 *
 * @example
 * import { provider } from '@ironrun/providers-1password';
 * const onePassword = await provider.create(provider.parseOptions({}), { projectDir, env: process.env, configDir, timeoutMs: 30_000 });
 * const [key] = await onePassword.resolve(['op://Production/Stripe/secret key'], { signal: AbortSignal.timeout(30_000) });
 */
export const provider = defineProvider<OnePasswordOptions>({
  name: '1password',
  // Declared once, in package.json (`ironrun.schemes`), where ironrun reads it without importing this module.
  schemes: manifest.ironrun.schemes,
  parseOptions: parseOnePasswordOptions,
  create: (options, context) => createOnePasswordProvider(options, context),
});
