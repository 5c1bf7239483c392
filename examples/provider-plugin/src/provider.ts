import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { defineProvider, ProviderError } from '@ironrun/provider';
import { type ExampleOptions, parseExampleOptions } from './example-options.js';
import { createExampleProvider } from './example-provider.js';

async function readSecretsFile(
  path: string,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, { encoding: 'utf8', signal });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new ProviderError(
      'CONFIG',
      `example: cannot read ${path}; create it with {"NAME": "value"} entries or fix provider.file`,
      { provider: 'example', cause: error },
    );
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new TypeError();
    return parsed as Record<string, unknown>;
  } catch {
    // No cause here: a JSON.parse error message quotes the text, and the text holds secrets.
    throw new ProviderError('CONFIG', `example: ${path} is not a JSON object of names to values`, {
      provider: 'example',
    });
  }
}

/**
 * The example provider's definition, exported under the name ironrun looks for: `provider`.
 *
 * @example
 * // ironrun.yml
 * // provider: { name: ironrun-provider-example, file: ~/.config/ironrun/example.json }
 * // commands: [{ id: hello, argv: [./hello.sh], env: { API_KEY: example://API_KEY } }]
 */
export const provider = defineProvider<ExampleOptions>({
  name: 'example',
  schemes: ['example'],
  parseOptions: parseExampleOptions,
  create(options, context) {
    const file = options.file.startsWith('~/')
      ? join(homedir(), options.file.slice(2))
      : isAbsolute(options.file)
        ? options.file
        : resolve(context.projectDir, options.file);
    return createExampleProvider((signal) => readSecretsFile(file, signal));
  },
});
