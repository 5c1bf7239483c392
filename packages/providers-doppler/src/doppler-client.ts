import { DopplerSDK } from '@dopplerhq/node-sdk';
import { createDopplerTransport } from './doppler-transport.js';

/**
 * The one Doppler call the provider makes, behind a small interface so the provider logic
 * does not depend on the SDK's shape.
 */
export interface DopplerClient {
  /**
   * Downloads the named secrets of one project/config as a name → value object (the SDK's
   * `secrets.download`, format `json`). `project` and `config` may both be `''` for a
   * service token, which knows its own scope. The request is canceled when `signal` aborts.
   */
  download(
    project: string,
    config: string,
    names: readonly string[],
    signal: AbortSignal,
  ): Promise<unknown>;
}

/**
 * Creates the SDK-backed client: per call, a `DopplerSDK` pointed at `apiUrl` with
 * `setBaseUrl()`, whose HTTP transport is replaced by one bound to the call's signal (see
 * `createDopplerTransport` for why).
 */
export function createDopplerClient(token: string, apiUrl: string): DopplerClient {
  return {
    download(project, config, names, signal) {
      const sdk = new DopplerSDK({ accessToken: token });
      sdk.setBaseUrl(apiUrl);
      sdk.secrets.httpClient = createDopplerTransport(
        signal,
      ) as unknown as typeof sdk.secrets.httpClient;
      return sdk.secrets.download(project, config, { format: 'json', secrets: names.join(',') });
    },
  };
}
