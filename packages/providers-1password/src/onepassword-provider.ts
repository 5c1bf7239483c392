import {
  abortable,
  type ProviderContext,
  ProviderError,
  type ResolveContext,
  type ResolveResult,
  resolvedAfterDispose,
  type SecretProvider,
  withDeadline,
} from '@ironrun/provider';
import { findOp, isExecutableFile } from './find-op.js';
import { classifyOpFailure, runOp } from './op-cli.js';
import type { OnePasswordOptions } from './options.js';
import { type OnePasswordReference, parseOnePasswordReference } from './reference.js';
import { describeResolveError, isResolveErrorKnown, mapSdkError } from './sdk-error.js';
import {
  type ConnectOnePassword,
  connectWithSdk,
  type OnePasswordSecretsClient,
} from './secrets-client.js';

/** Replaceable parts, for tests and embedding. */
export interface OnePasswordSeams {
  /**
   * Makes the SDK client from the token.
   * @default connectWithSdk (`createClient` of `@1password/sdk`)
   */
  connect?: ConnectOnePassword;
}

const unsafe = /[\s\u0000-\u001f\u007f]/;

type Backend = { kind: 'sdk'; token: string } | { kind: 'cli'; opPath: string };

function chooseBackend(options: OnePasswordOptions, context: ProviderContext): Backend {
  const token = context.env[options.tokenEnv]?.trim() ?? '';
  if (token !== '' && unsafe.test(token)) {
    throw new ProviderError(
      'AUTH',
      `1password: the value of ${options.tokenEnv} contains whitespace or control characters; it is not a service-account token`,
      {
        provider: '1password',
      },
    );
  }
  const wantsSdk =
    options.mode === 'sdk' ||
    (options.mode === 'auto' && (token !== '' || options.tokenEnvExplicit));
  if (wantsSdk) {
    if (token === '') {
      throw new ProviderError(
        'AUTH',
        `1password: no service-account token: set ${options.tokenEnv} in the environment of the ironrun process (read it from a file or the OS keychain when you start ironrun; never put it in the agent's environment or a committed MCP config), or use mode: cli to sign in through the 1Password app`,
        { provider: '1password' },
      );
    }
    return { kind: 'sdk', token };
  }
  if (options.opPath !== undefined) {
    if (context.isInsideProject(options.opPath)) {
      throw new ProviderError(
        'CONFIG',
        `1password: op_path ${options.opPath} is inside the project, where the agent can replace it; install op outside the project`,
        { provider: '1password' },
      );
    }
    if (!isExecutableFile(options.opPath)) {
      throw new ProviderError(
        'CONFIG',
        `1password: op_path ${options.opPath} is not an executable file`,
        {
          provider: '1password',
        },
      );
    }
    return { kind: 'cli', opPath: options.opPath };
  }
  const opPath = findOp(context.env.PATH, context.isInsideProject);
  if (opPath === undefined) {
    throw new ProviderError(
      'CONFIG',
      `1password: the 1Password CLI (op) is not on PATH (entries inside the project and relative entries are ignored): install it and turn on "Integrate with 1Password CLI" in the app, set the 'op_path' option, or set ${options.tokenEnv} to use a service account`,
      { provider: '1password' },
    );
  }
  return { kind: 'cli', opPath };
}

function unique(parsed: readonly OnePasswordReference[]): string[] {
  return [...new Set(parsed.map((reference) => reference.ref))];
}

/**
 * Creates a 1Password `SecretProvider`: the service-account SDK when a token is set (one
 * `resolveAll` call per run), else the `op` CLI (one `op read` per distinct reference, one
 * after the other so the desktop app asks for approval once).
 */
export function createOnePasswordProvider(
  options: OnePasswordOptions,
  context: ProviderContext,
  seams: OnePasswordSeams = {},
): SecretProvider {
  const backend = chooseBackend(options, context);
  const connect = seams.connect ?? connectWithSdk;
  let client: Promise<OnePasswordSecretsClient> | undefined;
  let disposed = false;

  const connected = (): Promise<OnePasswordSecretsClient> => {
    if (backend.kind !== 'sdk') throw new Error('unreachable');
    client ??= connect(backend.token).catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    return client;
  };

  async function resolveWithSdk(
    refs: string[],
    signal: AbortSignal,
  ): Promise<Map<string, ResolveResult>> {
    const answers = new Map<string, ResolveResult>();
    const call = (async () => (await connected()).resolveAll(refs))().catch((error: unknown) => {
      throw mapSdkError(error, refs, options.tokenEnv);
    });
    const { individualResponses } = await abortable(call, signal, { provider: '1password', refs });
    for (const ref of refs) {
      const entry = individualResponses?.[ref];
      if (entry?.error !== undefined) {
        if (!isResolveErrorKnown(entry.error.type)) {
          throw new ProviderError(
            'INVALID_REFERENCE',
            `1password: 1Password could not parse the reference ${JSON.stringify(ref)}; expected op://vault/item/field or op://vault/item/section/field`,
            { provider: '1password', refs: [ref] },
          );
        }
        answers.set(ref, { ref, found: false, reason: describeResolveError(entry.error.type) });
      } else if (typeof entry?.content?.secret === 'string') {
        answers.set(ref, { ref, found: true, value: entry.content.secret });
      } else {
        throw new ProviderError('UNKNOWN', `1password: the SDK returned no answer for ${ref}`, {
          provider: '1password',
          refs: [ref],
        });
      }
    }
    return answers;
  }

  async function resolveWithCli(
    opPath: string,
    refs: string[],
    signal: AbortSignal,
  ): Promise<Map<string, ResolveResult>> {
    const answers = new Map<string, ResolveResult>();
    const account = options.account === undefined ? [] : ['--account', options.account];
    // One after the other: the first call may wait for the desktop app's approval, which
    // then covers the rest.
    for (const ref of refs) {
      const run = await runOp({
        opPath,
        args: ['read', '--no-newline', ...account, ref],
        env: context.env,
        signal,
      });
      if (run.exitCode === 0 && !run.overflow) {
        // --no-newline: op prints the field exactly; nothing is stripped or added.
        answers.set(ref, { ref, found: true, value: run.stdout.toString('utf8') });
        continue;
      }
      if (run.overflow) {
        throw new ProviderError(
          'UNKNOWN',
          `1password: the value of ${ref} is larger than 1 MiB; ironrun refuses it`,
          {
            provider: '1password',
            refs: [ref],
          },
        );
      }
      const failure = classifyOpFailure(run.stderr);
      const said =
        failure.detail === ''
          ? `exit code ${run.exitCode ?? run.signal}`
          : `op said: ${failure.detail}`;
      if (failure.kind === 'not-found') {
        answers.set(ref, { ref, found: false, reason: said });
        continue;
      }
      const fixes: Record<typeof failure.code, string> = {
        AUTH: 'unlock the 1Password app and turn on "Integrate with 1Password CLI" (or run `op signin`), then retry',
        RATE_LIMIT: 'wait and retry',
        NETWORK: 'check the network',
        CONFIG: 'install 1Password CLI 2.x (op read --no-newline is needed)',
        UNKNOWN: `run \`op read '${ref}'\` in a terminal to see the problem`,
      };
      throw new ProviderError(
        failure.code,
        `1password: op read failed for ${ref} (${said}); ${fixes[failure.code]}`,
        {
          provider: '1password',
          refs: [ref],
        },
      );
    }
    return answers;
  }

  return {
    name: '1password',
    async resolve(refs: readonly string[], { signal }: ResolveContext): Promise<ResolveResult[]> {
      if (disposed) throw resolvedAfterDispose('1password', refs);
      // Every reference is validated offline before the SDK or op sees any of them.
      const parsed = refs.map((ref) => parseOnePasswordReference(ref));
      if (parsed.length === 0) return [];
      const distinct = unique(parsed);
      const deadline = {
        signal,
        timeoutMs: context.timeoutMs,
        provider: '1password',
        refs,
        backend:
          backend.kind === 'sdk'
            ? '1Password'
            : 'the op CLI (or the approval in the 1Password app)',
      };
      const answers = await withDeadline(deadline, (limit) =>
        backend.kind === 'sdk'
          ? resolveWithSdk(distinct, limit)
          : abortable(resolveWithCli(backend.opPath, distinct, limit), limit, {
              provider: '1password',
              refs,
            }),
      );
      return parsed.map(({ ref }) => answers.get(ref)!);
    },
    dispose() {
      disposed = true;
      client = undefined;
    },
  };
}
