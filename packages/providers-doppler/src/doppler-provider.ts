import {
  abortable,
  groupReferences,
  type ProviderContext,
  ProviderError,
  type ResolveContext,
  type ResolveResult,
  resolvedAfterDispose,
  type SecretProvider,
  withDeadline,
} from '@ironrun/provider';
import { createDopplerClient, type DopplerClient } from './doppler-client.js';
import { mapDopplerError } from './doppler-error.js';
import type { DopplerOptions } from './options.js';
import { type DopplerReference, parseDopplerReference } from './reference.js';

/** Reads and checks the token from the ironrun process's environment. */
export function readDopplerToken(options: DopplerOptions, context: ProviderContext): string {
  const raw = context.env[options.tokenEnv];
  const token = raw?.trim() ?? '';
  if (token === '') {
    throw new ProviderError(
      'AUTH',
      `doppler: no token: set ${options.tokenEnv} in the environment of the ironrun process (read it from a file or the OS keychain when you start ironrun; never put it in the agent's environment or a committed MCP config)`,
      { provider: 'doppler' },
    );
  }
  if (/[\s\u0000-\u001f\u007f]/.test(token)) {
    throw new ProviderError(
      'AUTH',
      `doppler: the value of ${options.tokenEnv} contains whitespace or control characters; it is not a Doppler token`,
      { provider: 'doppler' },
    );
  }
  return token;
}

const configKey = (reference: DopplerReference) => `${reference.project}/${reference.config}`;

/**
 * Creates a Doppler `SecretProvider`. `client` replaces the SDK-backed client (the tests run
 * the real SDK against a local server; the seam keeps the resolve logic SDK-independent).
 */
export function createDopplerProvider(
  options: DopplerOptions,
  context: ProviderContext,
  client: DopplerClient = createDopplerClient(readDopplerToken(options, context), options.apiUrl),
): SecretProvider {
  let disposed = false;
  return {
    name: 'doppler',
    async resolve(refs: readonly string[], { signal }: ResolveContext): Promise<ResolveResult[]> {
      if (disposed) throw resolvedAfterDispose('doppler', refs);
      // Every reference is checked offline before any call.
      const parsed = refs.map((ref) => parseDopplerReference(ref, options));
      if (parsed.length === 0) return [];
      const groups = groupReferences(parsed, configKey);
      const deadline = {
        signal,
        timeoutMs: context.timeoutMs,
        provider: 'doppler',
        refs,
        backend: 'the Doppler API',
      };
      const downloads = await withDeadline(deadline, async (limit) => {
        const answers = await Promise.all(
          groups.map(async (group) => {
            const { project, config } = group.members[0]!;
            const names = [...new Set(group.members.map((reference) => reference.name))];
            const target = { project, config, refs: group.refs, tokenEnv: options.tokenEnv };
            const pending = client
              .download(project, config, names, limit)
              .catch((error: unknown) => {
                throw mapDopplerError(error, target);
              });
            const answer = await abortable(pending, limit, {
              provider: 'doppler',
              refs: group.refs,
            });
            if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
              throw new ProviderError(
                'UNKNOWN',
                `doppler: the Doppler API answered the download for ${group.refs.join(', ')} with something other than a JSON object`,
                { provider: 'doppler', refs: group.refs },
              );
            }
            return [group.key, answer as Record<string, unknown>] as const;
          }),
        );
        return new Map(answers);
      });
      return parsed.map((reference) => {
        const { ref, project, config, name } = reference;
        const secrets = downloads.get(configKey(reference))!;
        const value = Object.hasOwn(secrets, name) ? secrets[name] : undefined;
        if (typeof value === 'string') return { ref, found: true, value };
        const where = project === '' ? "the service token's config" : `${project}/${config}`;
        return { ref, found: false, reason: `no secret named ${name} in ${where}` };
      });
    },
    dispose() {
      disposed = true;
    },
  };
}
