import { InfisicalSDK } from '@infisical/sdk';

/** How the provider authenticates. */
export type InfisicalCredentials =
  | { kind: 'token'; token: string }
  | { kind: 'universal-auth'; clientId: string; clientSecret: string };

/** One secret as the list call returns it (only the fields the provider reads). */
export interface ListedSecret {
  secretKey: string;
  secretValue: string;
  type?: string;
  secretValueHidden?: boolean;
}

/** What the list call returns: the folder's own secrets and, optionally, imported ones. */
export interface ListedFolder {
  secrets: ListedSecret[];
  imports?: { secretPath: string; secrets: ListedSecret[] }[];
}

/** Where to list. */
export interface FolderQuery {
  projectId: string;
  environment: string;
  path: string;
  includeImports: boolean;
}

/**
 * The Infisical calls the provider makes, behind a small interface so the provider logic does
 * not depend on the SDK's shape.
 */
export interface InfisicalClient {
  /** Logs in (universal auth) once; a no-op for a token. Retried after a failure. */
  authenticate(): Promise<void>;
  /** Lists one folder's secrets with values (the SDK's `secrets().listSecrets`). */
  listFolder(query: FolderQuery): Promise<ListedFolder>;
}

/**
 * Creates the SDK-backed client. The SDK has no abort signal (it has its own 10 s per-attempt
 * timeout and retries), so the caller bounds each call with `abortable()`.
 */
export function createInfisicalClient(
  credentials: InfisicalCredentials,
  siteUrl: string,
): InfisicalClient {
  const sdk = new InfisicalSDK({ siteUrl });
  let login: Promise<void> | undefined;
  if (credentials.kind === 'token') {
    sdk.auth().accessToken(credentials.token);
    login = Promise.resolve();
  }
  return {
    authenticate() {
      if (login === undefined && credentials.kind === 'universal-auth') {
        const { clientId, clientSecret } = credentials;
        login = sdk
          .auth()
          .universalAuth.login({ clientId, clientSecret })
          .then(
            () => undefined,
            (error: unknown) => {
              login = undefined;
              throw error;
            },
          );
      }
      return login!;
    },
    listFolder: ({ projectId, environment, path, includeImports }) =>
      sdk.secrets().listSecrets({
        projectId,
        environment,
        secretPath: path,
        includeImports,
        expandSecretReferences: true,
        viewSecretValue: true,
        recursive: false,
      }),
  };
}
