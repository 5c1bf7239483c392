import { ProviderError } from '@ironrun/provider';
import type { InfisicalOptions } from './options.js';
import { environmentPattern, projectPattern, segmentPattern } from './options.js';

/** A parsed `infisical://` reference: where the secret lives and its key. */
export interface InfisicalReference {
  /** The reference as written. */
  ref: string;
  projectId: string;
  environment: string;
  /** The folder, e.g. `/` or `/backend/stripe`. */
  path: string;
  /** The secret's key, e.g. `STRIPE_KEY`. */
  name: string;
}

const expectedForms =
  'expected infisical://NAME or infisical:///path/to/NAME, optionally followed by ?env=SLUG&project=ID';

function invalid(ref: string, why: string): ProviderError {
  return new ProviderError(
    'INVALID_REFERENCE',
    `infisical: invalid reference ${JSON.stringify(ref)}: ${why}; ${expectedForms}`,
    { provider: 'infisical', refs: [ref] },
  );
}

/**
 * Parses an Infisical reference offline:
 *
 * - `infisical://NAME`: the key `NAME` in the folder of the `path` option (default `/`);
 * - `infisical:///path/to/NAME`: the key `NAME` in the folder `/path/to` (note the three
 *   slashes: the path is absolute);
 * - either may end with `?env=SLUG` and/or `&project=ID` to override the `environment` and
 *   `project_id` options for this reference.
 *
 * @throws ProviderError `INVALID_REFERENCE` naming the reference, or `CONFIG` when neither
 * the reference nor the options give a project or an environment.
 */
export function parseInfisicalReference(
  ref: string,
  options: Pick<InfisicalOptions, 'projectId' | 'environment' | 'path'>,
): InfisicalReference {
  if (typeof ref !== 'string' || !ref.startsWith('infisical://')) {
    throw invalid(String(ref), "it does not start with 'infisical://'");
  }
  const rest = ref.slice('infisical://'.length);
  const queryAt = rest.indexOf('?');
  const body = queryAt === -1 ? rest : rest.slice(0, queryAt);
  let projectId = options.projectId;
  let environment = options.environment;
  if (queryAt !== -1) {
    const seen = new Set<string>();
    for (const pair of rest.slice(queryAt + 1).split('&')) {
      const [key, value, extra] = pair.split('=');
      if (value === undefined || extra !== undefined || seen.has(key!)) {
        throw invalid(ref, `the query part '${pair}' is not key=value, or repeats a key`);
      }
      seen.add(key!);
      if (key === 'env' && environmentPattern.test(value)) environment = value;
      else if (key === 'project' && projectPattern.test(value)) projectId = value;
      else throw invalid(ref, `the query part '${pair}' is not env=SLUG or project=ID`);
    }
  }
  let path = options.path;
  let name: string;
  if (body.startsWith('/')) {
    const segments = body.slice(1).split('/');
    name = segments.pop()!;
    for (const segment of segments) {
      if (!segmentPattern.test(segment)) throw invalid(ref, `'${segment}' is not a folder name`);
    }
    path = `/${segments.join('/')}`;
  } else {
    if (body.includes('/')) {
      throw invalid(ref, 'a folder path needs three slashes (infisical:///path/to/NAME)');
    }
    name = body;
  }
  if (!segmentPattern.test(name)) {
    throw invalid(ref, `'${name}' is not a secret key (letters, digits, '_', '-', '.')`);
  }
  const missing = (what: string, option: string, query: string) =>
    new ProviderError(
      'CONFIG',
      `infisical: ${ref} names no ${what}: set the provider option '${option}' or add ${query} to the reference`,
      { provider: 'infisical', refs: [ref] },
    );
  if (projectId === undefined) throw missing('project', 'project_id', '?project=ID');
  if (environment === undefined) throw missing('environment', 'environment', '?env=SLUG');
  return { ref, projectId, environment, path, name };
}
