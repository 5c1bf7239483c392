import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Doppler API on 127.0.0.1 speaking the shape `@dopplerhq/node-sdk` 1.3 really uses:
 * `GET /v3/configs/config/secrets/download?project=&config=&format=json&secrets=A,B` with
 * `Authorization: Bearer <token>`, answering a flat JSON name → value object, and Doppler's
 * error body `{ "messages": [...], "success": false }`.
 */
export interface FakeDopplerOptions {
  /** Configs by `project/config`, each a name → value map. */
  configs: Record<string, Record<string, string>>;
  /**
   * Accepted tokens. A service token is scoped to one `project/config` and may omit both
   * query parameters; any other token may read every config.
   */
  tokens: Record<string, { scope?: string }>;
}

/** One request the SDK made, as the server saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  userAgent: string | undefined;
}

/** How the server answers the next requests. */
export type FakeMode =
  | { kind: 'normal' }
  | { kind: 'status'; status: 401 | 403 | 404 | 429 | 500 | 503 }
  | { kind: 'hang' }
  | { kind: 'html'; status: 200 | 502 };

export interface FakeDoppler {
  /** The base URL to pass as `api_url`. */
  url: string;
  requests: RecordedRequest[];
  mode: FakeMode;
  /** How many stalled requests the client gave up on (closed its socket). */
  abandoned: number;
  close(): Promise<void>;
}

const downloadPath = '/v3/configs/config/secrets/download';

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function fail(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
) {
  send(res, status, { messages: [message], success: false }, headers);
}

/** Starts the fake on a random port of 127.0.0.1. */
export async function startFakeDoppler(options: FakeDopplerOptions): Promise<FakeDoppler> {
  const requests: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const fake: FakeDoppler = {
    url: '',
    requests,
    mode: { kind: 'normal' },
    abandoned: 0,
    close: async () => {},
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
      userAgent: req.headers['user-agent'],
    });
    const mode = fake.mode;
    if (mode.kind === 'hang') {
      hanging.add(res); // accept and never answer (until close)
      res.on('close', () => {
        if (!res.writableEnded) fake.abandoned += 1;
      });
      return;
    }
    if (mode.kind === 'html') {
      res.writeHead(mode.status, { 'content-type': 'text/html' });
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      return;
    }
    if (mode.kind === 'status') {
      const messages: Record<number, string> = {
        401: 'Invalid Auth token',
        403: 'You do not have access to this config',
        404: 'Could not find requested config',
        429: 'You have exceeded the rate limit',
        500: 'Internal server error',
        503: 'Service unavailable',
      };
      const headers: Record<string, string> = mode.status === 429 ? { 'retry-after': '30' } : {};
      return fail(res, mode.status, messages[mode.status] ?? 'error', headers);
    }
    if (req.method !== 'GET' || url.pathname !== downloadPath) {
      return fail(res, 404, 'Not found');
    }
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : '';
    const grant = Object.hasOwn(options.tokens, token) ? options.tokens[token] : undefined;
    if (grant === undefined) return fail(res, 401, 'Invalid Auth token');
    let project = url.searchParams.get('project');
    let config = url.searchParams.get('config');
    if (grant.scope !== undefined) {
      const [scopeProject, scopeConfig] = grant.scope.split('/');
      project ??= scopeProject!;
      config ??= scopeConfig!;
      if (`${project}/${config}` !== grant.scope) {
        return fail(res, 403, 'Service token does not have access to this config');
      }
    }
    if (project === null || config === null) {
      return fail(res, 400, 'Missing project or config');
    }
    if (url.searchParams.get('format') !== 'json') return fail(res, 400, 'Unsupported format');
    const secrets = options.configs[`${project}/${config}`];
    if (secrets === undefined) return fail(res, 404, 'Could not find requested config');
    const wanted = url.searchParams.get('secrets');
    const names = wanted === null ? Object.keys(secrets) : wanted.split(',');
    const body: Record<string, string> = {};
    for (const name of names) {
      if (Object.hasOwn(secrets, name)) body[name] = secrets[name]!;
    }
    send(res, 200, body);
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      // Answer stalled requests with an empty body so the SDK settles quietly instead of
      // retrying against a closed port after the test.
      for (const res of hanging) if (!res.writableEnded) send(res, 200, {});
      hanging.clear();
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 50).unref();
      server.close(() => resolve());
    });
  return fake;
}
