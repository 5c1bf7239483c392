import { ProviderError } from '@ironrun/provider';

/** The options of the example provider (the extra keys of `provider:` in ironrun.yml). */
export interface ExampleOptions {
  /** The JSON file mapping secret names to values, e.g. `{ "API_KEY": "…" }`. Absolute or `~/…`. */
  file: string;
}

/** Checks the raw options: pure, no file access. Throws `ProviderError` `CONFIG`. */
export function parseExampleOptions(raw: Record<string, unknown>): ExampleOptions {
  const unknown = Object.keys(raw).filter((key) => key !== 'file');
  if (unknown.length > 0) {
    throw new ProviderError(
      'CONFIG',
      `example: unknown option '${unknown[0]}'; the only option is 'file' (a JSON file of secrets)`,
      { provider: 'example' },
    );
  }
  if (typeof raw.file !== 'string' || raw.file.trim() === '') {
    throw new ProviderError(
      'CONFIG',
      `example: option 'file' is required: the path of a JSON file mapping names to values`,
      { provider: 'example' },
    );
  }
  return { file: raw.file };
}
