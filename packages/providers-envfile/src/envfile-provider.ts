import * as fs from 'node:fs/promises';
import {
  abortable,
  type ProviderContext,
  ProviderError,
  type ResolveResult,
  type SecretProvider,
} from '@ironrun/provider';
import { parse } from 'dotenv';
import { type EnvfileOptions, envfilePath } from './envfile-options.js';
import { envfileKey } from './envfile-reference.js';

/** The file-system calls the provider makes; tests replace them to simulate a hung or failing disk. */
export interface EnvfileIo {
  readFile(path: string, options: { encoding: 'utf8'; signal: AbortSignal }): Promise<string>;
  stat(path: string): Promise<{ mode: number }>;
}

const nodeIo: EnvfileIo = {
  readFile: (path, options) => fs.readFile(path, options),
  stat: (path) => fs.stat(path),
};

function readError(path: string, refs: readonly string[], error: unknown): ProviderError {
  const code = (error as { code?: unknown } | null)?.code;
  const options = { provider: 'envfile', refs, cause: error };
  if (code === 'ENOENT') {
    return new ProviderError(
      'CONFIG',
      `envfile: the secrets file ${path} does not exist; create it outside the repository with \`mkdir -p "$(dirname ${path})" && install -m 600 /dev/null ${path}\`, add one NAME=value line per secret, or set provider_options.path in ironrun.yml`,
      options,
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new ProviderError(
      'CONFIG',
      `envfile: the secrets file ${path} cannot be read (permission denied); make it readable by you only: chmod 600 ${path}`,
      options,
    );
  }
  if (code === 'EISDIR') {
    return new ProviderError(
      'CONFIG',
      `envfile: ${path} is a directory; provider_options.path must name a dotenv file`,
      options,
    );
  }
  const detail = typeof code === 'string' ? ` (${code})` : '';
  return new ProviderError('UNKNOWN', `envfile: reading ${path} failed${detail}`, options);
}

/**
 * Creates the envfile provider. The file is read (and parsed with dotenv) on every
 * `resolve` call, never cached; values stay in memory for the call only.
 */
export async function createEnvfileProvider(
  options: EnvfileOptions,
  context: ProviderContext,
  io: EnvfileIo = nodeIo,
): Promise<SecretProvider> {
  const path = envfilePath(options, context);
  const warn =
    context.warn ?? ((message: string) => process.emitWarning(message, 'IronrunWarning'));

  if (context.isInsideProject(path)) {
    warn(
      `envfile: the secrets file ${path} is inside the project ${context.projectDir}, where the agent can read it; move it outside the repository (the default is ${context.configDir}/secrets.env)`,
    );
  }
  let modeChecked = process.platform === 'win32';

  return {
    name: 'envfile',
    async resolve(refs, { signal }): Promise<ResolveResult[]> {
      if (refs.length === 0) return [];
      const keys = refs.map(envfileKey);
      const asked = { provider: 'envfile', refs };
      let text: string;
      try {
        text = await abortable(io.readFile(path, { encoding: 'utf8', signal }), signal, asked);
      } catch (error) {
        if (signal.aborted) throw error;
        throw readError(path, refs, error);
      }
      if (!modeChecked) {
        modeChecked = true;
        const { mode } = await io.stat(path).catch(() => ({ mode: 0 }));
        if ((mode & 0o077) !== 0) {
          warn(
            `envfile: the secrets file ${path} can be read or written by other users (mode ${(mode & 0o777).toString(8)}); restrict it: chmod 600 ${path}`,
          );
        }
      }
      const secrets = parse(text);
      return refs.map((ref, index) => {
        const key = keys[index]!;
        return Object.hasOwn(secrets, key)
          ? { ref, found: true, value: secrets[key]! }
          : { ref, found: false, reason: `${key} is not set in ${path}` };
      });
    },
    dispose() {},
  };
}
