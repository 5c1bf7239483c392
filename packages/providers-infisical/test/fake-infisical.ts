import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Infisical API on 127.0.0.1 speaking the shape `@infisical/sdk` 5 really uses:
 *
 * - `POST /api/v1/auth/universal-auth/login` with JSON `{ clientId, clientSecret }`, answering
 *   `{ accessToken, expiresIn, accessTokenMaxTTL, tokenType }`;
 * - `GET /api/v3/secrets/raw?workspaceId=&environment=&secretPath=&include_imports=&…` with
 *   `Authorization: Bearer <token>`, answering `{ secrets: Secret[], imports: [...] }`;
 * - errors as `{ reqId, statusCode, message, error }`.
 */
export interface FakeFolder {
  /** Key → value, or a value with a type / a hidden value. */
  secrets: Record<
    string,
    string | { value: string; type?: 'shared' | 'personal'; hidden?: boolean }[]
  >;
  /** Folders (same project) imported into this one: `environment:path`. */
  imports?: string[];
}

export interface FakeInfisicalOptions {
  /** projectId → environment → path → folder. */
  projects: Record<string, Record<string, Record<string, FakeFolder>>>;
  /** Accepted universal-auth identities: clientId → clientSecret. */
  identities: Record<string, string>;
  /** Access tokens accepted as is (e.g. what `INFISICAL_TOKEN` would hold). */
  tokens: string[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

export type FakeMode =
  | { kind: 'normal' }
  | { kind: 'status'; status: 401 | 403 | 404 | 429 | 500; times?: number }
  | { kind: 'hang' }
  | { kind: 'html'; status: 200 | 502 };

export interface FakeInfisical {
  url: string;
  requests: RecordedRequest[];
  mode: FakeMode;
  /** Access tokens the login endpoint handed out. */
  issued: string[];
  close(): Promise<void>;
}

const errorNames: Record<number, string> = {
  400: 'BadRequest',
  401: 'UnauthorizedError',
  403: 'PermissionDenied',
  404: 'NotFound',
  429: 'TooManyRequests',
  500: 'InternalServerError',
};

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function fail(res: ServerResponse, status: number, message: string) {
  send(res, status, {
    reqId: `req-${randomUUID()}`,
    statusCode: status,
    message,
    error: errorNames[status] ?? 'Error',
  });
}

function secretObjects(projectId: string, environment: string, path: string, folder: FakeFolder) {
  return Object.entries(folder.secrets).flatMap(([key, entry]) => {
    const variants = typeof entry === 'string' ? [{ value: entry }] : entry;
    return variants.map((variant, index) => ({
      id: `${path}:${key}:${index}`,
      _id: `${path}:${key}:${index}`,
      workspace: projectId,
      workspaceId: projectId,
      environment,
      secretKey: key,
      secretValue: variant.hidden ? '<hidden-by-infisical>' : variant.value,
      secretValueHidden: variant.hidden === true,
      secretComment: '',
      secretPath: path,
      type: variant.type ?? 'shared',
      version: 1,
      tags: [],
      isRotatedSecret: false,
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
    }));
  });
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += chunk;
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Starts the fake on a random port of 127.0.0.1. */
export async function startFakeInfisical(options: FakeInfisicalOptions): Promise<FakeInfisical> {
  const requests: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const fake: FakeInfisical = {
    url: '',
    requests,
    mode: { kind: 'normal' },
    issued: [],
    close: async () => {},
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body,
    });
    const mode = fake.mode;
    if (mode.kind === 'hang') {
      hanging.add(res);
      return;
    }
    if (mode.kind === 'html') {
      res.writeHead(mode.status, { 'content-type': 'text/html' });
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      return;
    }
    if (mode.kind === 'status') {
      if (mode.times !== undefined && --mode.times <= 0) fake.mode = { kind: 'normal' };
      return fail(res, mode.status, `Simulated ${mode.status}`);
    }
    if (req.method === 'POST' && url.pathname === '/api/v1/auth/universal-auth/login') {
      const { clientId, clientSecret } = (body ?? {}) as {
        clientId?: unknown;
        clientSecret?: unknown;
      };
      if (typeof clientId !== 'string' || typeof clientSecret !== 'string') {
        return fail(res, 400, 'clientId and clientSecret are required');
      }
      if (
        !Object.hasOwn(options.identities, clientId) ||
        options.identities[clientId] !== clientSecret
      ) {
        return fail(res, 401, 'Invalid credentials');
      }
      const accessToken = `ey.fake.${randomUUID()}`;
      fake.issued.push(accessToken);
      return send(res, 200, {
        accessToken,
        expiresIn: 7200,
        accessTokenMaxTTL: 43200,
        tokenType: 'Bearer',
      });
    }
    if (req.method === 'GET' && url.pathname === '/api/v3/secrets/raw') {
      const auth = req.headers.authorization ?? '';
      const token = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : '';
      if (token === '') return fail(res, 401, 'Token missing');
      if (!options.tokens.includes(token) && !fake.issued.includes(token)) {
        return fail(res, 401, 'Invalid token');
      }
      const projectId = url.searchParams.get('workspaceId') ?? '';
      const environment = url.searchParams.get('environment') ?? '';
      const path = url.searchParams.get('secretPath') ?? '/';
      const project = Object.hasOwn(options.projects, projectId)
        ? options.projects[projectId]
        : undefined;
      if (project === undefined) return fail(res, 404, `Project with ID '${projectId}' not found`);
      const environmentFolders = Object.hasOwn(project, environment)
        ? project[environment]
        : undefined;
      if (environmentFolders === undefined) {
        return fail(
          res,
          404,
          `Environment with slug '${environment}' in project with ID ${projectId} not found`,
        );
      }
      const folder = Object.hasOwn(environmentFolders, path) ? environmentFolders[path] : undefined;
      if (folder === undefined) {
        return fail(
          res,
          404,
          `Folder with path '${path}' in environment with slug '${environment}' not found`,
        );
      }
      const imports =
        url.searchParams.get('include_imports') === 'true'
          ? (folder.imports ?? []).map((spec) => {
              const [importEnvironment, importPath] = spec.split(':') as [string, string];
              const source = project[importEnvironment]?.[importPath] ?? { secrets: {} };
              return {
                secretPath: importPath,
                environment: importEnvironment,
                folderId: `folder-${importPath}`,
                secrets: secretObjects(projectId, importEnvironment, importPath, source),
              };
            })
          : undefined;
      return send(res, 200, {
        secrets: secretObjects(projectId, environment, path, folder),
        ...(imports === undefined ? {} : { imports }),
      });
    }
    return fail(res, 404, `Route ${req.method}:${url.pathname} not found`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => fail(res, 500, 'fake server failure'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      for (const res of hanging) if (!res.writableEnded) send(res, 200, { secrets: [] });
      hanging.clear();
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 50).unref();
      server.close(() => resolve());
    });
  return fake;
}
