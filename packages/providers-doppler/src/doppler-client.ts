import { DopplerSDK } from '@dopplerhq/node-sdk';

/**
 * The one Doppler call the provider makes, behind a small interface so the provider logic
 * does not depend on the SDK's shape.
 */
export interface DopplerClient {
  /**
   * Downloads the named secrets of one project/config as a name → value object (the SDK's
   * `secrets.download`, format `json`). `project` and `config` may both be `''` for a
   * service token, which knows its own scope.
   */
  download(project: string, config: string, names: readonly string[]): Promise<unknown>;
}

/**
 * Creates the SDK-backed client. The SDK has no per-request timeout or abort signal, so the
 * caller bounds each call with `abortable()`.
 */
export function createDopplerClient(token: string, apiUrl: string): DopplerClient {
  const sdk = new DopplerSDK({ accessToken: token });
  sdk.setBaseUrl(apiUrl);
  return {
    download: (project, config, names) =>
      sdk.secrets.download(project, config, { format: 'json', secrets: names.join(',') }),
  };
}
