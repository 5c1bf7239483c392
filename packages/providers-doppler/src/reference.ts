import { ProviderError } from '@ironrun/provider';
import type { DopplerOptions } from './options.js';
import { slugPattern } from './options.js';

/** A parsed `doppler://` reference: where the secret lives and its name. */
export interface DopplerReference {
  /** The reference as written. */
  ref: string;
  /** The project, or `''` to let a service token's own scope decide. */
  project: string;
  /** The config, or `''` to let a service token's own scope decide. */
  config: string;
  /** The secret's name, e.g. `STRIPE_KEY`. */
  name: string;
}

/**
 * Doppler secret names: upper-case letters, digits and `_`, not starting with a digit. The
 * strict rule also keeps `,` (the download's list separator) and URL syntax out of the query.
 */
const namePattern = /^[A-Z_][A-Z0-9_]{0,255}$/;

function invalid(ref: string, why: string): ProviderError {
  return new ProviderError(
    'INVALID_REFERENCE',
    `doppler: invalid reference ${JSON.stringify(ref)}: ${why}; expected doppler://NAME or doppler://PROJECT/CONFIG/NAME`,
    { provider: 'doppler', refs: [ref] },
  );
}

/**
 * Parses `doppler://NAME` (project and config from the options, or the token's own scope)
 * or `doppler://PROJECT/CONFIG/NAME`, offline.
 *
 * @throws ProviderError `INVALID_REFERENCE` naming the reference and the expected form.
 */
export function parseDopplerReference(
  ref: string,
  options: Pick<DopplerOptions, 'project' | 'config'>,
): DopplerReference {
  if (typeof ref !== 'string' || !ref.startsWith('doppler://')) {
    throw invalid(String(ref), "it does not start with 'doppler://'");
  }
  const parts = ref.slice('doppler://'.length).split('/');
  let project = options.project ?? '';
  let config = options.config ?? '';
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 3) {
    [project, config, name] = parts as [string, string, string];
    if (!slugPattern.test(project))
      throw invalid(ref, `'${project}' is not a Doppler project slug`);
    if (!slugPattern.test(config)) throw invalid(ref, `'${config}' is not a Doppler config slug`);
  } else {
    throw invalid(ref, `it has ${parts.length} path segments`);
  }
  if (!namePattern.test(name)) {
    throw invalid(
      ref,
      `'${name}' is not a Doppler secret name (A-Z, 0-9 and '_', not starting with a digit)`,
    );
  }
  if ((project === '') !== (config === '')) {
    throw new ProviderError(
      'CONFIG',
      `doppler: ${ref} needs both a project and a config: set both provider options 'project' and 'config', or neither (a service token knows its own)`,
      { provider: 'doppler', refs: [ref] },
    );
  }
  return { ref, project, config, name };
}
