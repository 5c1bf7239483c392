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
import {
  createInfisicalClient,
  type InfisicalClient,
  type InfisicalCredentials,
  type ListedFolder,
  type ListedSecret,
} from './infisical-client.js';
import { mapInfisicalError } from './infisical-error.js';
import type { InfisicalOptions } from './options.js';
import { type InfisicalReference, parseInfisicalReference } from './reference.js';

const unsafe = /[\s\u0000-\u001f\u007f]/;

/** Reads the credentials from the ironrun process's environment: a token wins over client credentials. */
export function readInfisicalCredentials(
  options: InfisicalOptions,
  context: ProviderContext,
): { credentials: InfisicalCredentials; describe: string } {
  const read = (name: string) => {
    const value = context.env[name]?.trim() ?? '';
    if (unsafe.test(value)) {
      throw new ProviderError(
        'AUTH',
        `infisical: the value of ${name} contains whitespace or control characters`,
        { provider: 'infisical' },
      );
    }
    return value;
  };
  const token = read(options.tokenEnv);
  if (token !== '') {
    return { credentials: { kind: 'token', token }, describe: `the token in ${options.tokenEnv}` };
  }
  const clientId = read(options.clientIdEnv);
  const clientSecret = read(options.clientSecretEnv);
  if (clientId !== '' && clientSecret !== '') {
    return {
      credentials: { kind: 'universal-auth', clientId, clientSecret },
      describe: `the machine identity in ${options.clientIdEnv}/${options.clientSecretEnv}`,
    };
  }
  throw new ProviderError(
    'AUTH',
    `infisical: no credentials: set ${options.clientIdEnv} and ${options.clientSecretEnv} (a universal-auth machine identity) or ${options.tokenEnv} in the environment of the ironrun process (read them from a file or the OS keychain when you start ironrun; never put them in the agent's environment or a committed MCP config)`,
    { provider: 'infisical' },
  );
}

const folderKey = (reference: InfisicalReference) =>
  JSON.stringify([reference.projectId, reference.environment, reference.path]);

/**
 * Picks the secret `name` from a listed folder: the folder's own secrets first (a personal
 * override before the shared value, as Infisical itself does), then imported folders in the
 * order the API lists them.
 */
function pick(folder: ListedFolder, name: string): ListedSecret | undefined {
  const own = (folder.secrets ?? []).filter((secret) => secret.secretKey === name);
  const chosen = own.find((secret) => secret.type === 'personal') ?? own[0];
  if (chosen !== undefined) return chosen;
  for (const imported of folder.imports ?? []) {
    const match = (imported.secrets ?? []).find((secret) => secret.secretKey === name);
    if (match !== undefined) return match;
  }
  return undefined;
}

/**
 * Creates an Infisical `SecretProvider`. `client` replaces the SDK-backed client (the tests run
 * the real SDK against a local server; the seam keeps the resolve logic SDK-independent).
 */
export function createInfisicalProvider(
  options: InfisicalOptions,
  context: ProviderContext,
  client?: InfisicalClient,
): SecretProvider {
  const { credentials, describe } = readInfisicalCredentials(options, context);
  const api = client ?? createInfisicalClient(credentials, options.siteUrl);
  let disposed = false;
  return {
    name: 'infisical',
    async resolve(refs: readonly string[], { signal }: ResolveContext): Promise<ResolveResult[]> {
      if (disposed) throw resolvedAfterDispose('infisical', refs);
      // Every reference is checked offline before any call.
      const parsed = refs.map((ref) => parseInfisicalReference(ref, options));
      if (parsed.length === 0) return [];
      const groups = groupReferences(parsed, folderKey);
      const listed = new Map<string, ListedFolder>();
      const deadline = {
        signal,
        timeoutMs: context.timeoutMs,
        provider: 'infisical',
        refs,
        backend: 'Infisical',
      };
      await withDeadline(deadline, async (limit) => {
        const login = api.authenticate().catch((error: unknown) => {
          throw mapInfisicalError(error, { phase: 'login', refs, credentials: describe });
        });
        await abortable(login, limit, { provider: 'infisical', refs });
        await Promise.all(
          groups.map(async (group) => {
            const { projectId, environment, path } = group.members[0]!;
            const folder = { projectId, environment, path, refs: group.refs };
            const target = { phase: 'list' as const, ...folder, credentials: describe };
            const pending = api
              .listFolder({ ...folder, includeImports: options.includeImports })
              .catch((error: unknown) => {
                throw mapInfisicalError(error, target);
              });
            const answer = await abortable(pending, limit, {
              provider: 'infisical',
              refs: folder.refs,
            });
            if (typeof answer !== 'object' || answer === null || !Array.isArray(answer.secrets)) {
              throw new ProviderError(
                'UNKNOWN',
                `infisical: the Infisical API answered the list for ${folder.refs.join(', ')} without a secrets array`,
                { provider: 'infisical', refs: folder.refs },
              );
            }
            listed.set(group.key, answer);
          }),
        );
      });
      return parsed.map((reference) => {
        const { ref, name, path, environment } = reference;
        const secret = pick(listed.get(folderKey(reference))!, name);
        const where = `folder '${path}' of environment '${environment}'`;
        if (secret === undefined)
          return { ref, found: false, reason: `no secret ${name} in ${where}` };
        if (secret.secretValueHidden === true || typeof secret.secretValue !== 'string') {
          return {
            ref,
            found: false,
            reason: `the identity may see ${name} in ${where} but not read its value`,
          };
        }
        return { ref, found: true, value: secret.secretValue };
      });
    },
    dispose() {
      disposed = true;
    },
  };
}
