import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** The largest response body accepted; a bigger one is refused rather than buffered. */
const maxBodyBytes = 8 * 1024 * 1024;
/** The SDK's own retry policy: three attempts, 150 ms then 300 ms apart, on these statuses and on socket errors. */
const attempts = 3;
const firstDelayMs = 150;
const retriedStatuses = new Set([500, 503, 504]);

/** An HTTP failure, shaped like the SDK's errors (`statusCode`), without the body. */
export class DopplerHttpStatus extends Error {
  override readonly name = 'DopplerHttpStatus';
  constructor(readonly statusCode: number) {
    super(`Doppler API answered HTTP ${statusCode}`);
  }
}

/** A 2xx answer whose body is not JSON (e.g. an HTML page from a proxy). */
export class DopplerBadResponse extends Error {
  override readonly name = 'DopplerBadResponse';
  readonly code = 'BAD_RESPONSE';
}

/** The one method of the SDK's `HTTPClient` that `secrets.download` calls. */
export interface DopplerTransport {
  get(
    url: string,
    input: unknown,
    headers: Record<string, string>,
    retry?: boolean,
  ): Promise<{ data: unknown; status: number }>;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function once(
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = (url.startsWith('https:') ? httpsRequest : httpRequest)(
      url,
      {
        method: 'GET',
        headers,
        signal,
        ...(url.startsWith('https:') ? { minVersion: 'TLSv1.2' as const } : {}),
      },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBodyBytes) {
            response.destroy(new DopplerBadResponse('the Doppler API answer is larger than 8 MiB'));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/**
 * The transport the provider gives the Doppler SDK (through its public `httpClient`
 * property) in place of the SDK's own, which in 1.3.0 (a) has no way to cancel a request,
 * (b) `console.log`s socket errors to stdout, where they would corrupt the MCP stdio
 * protocol, and (c) parses the body with an unguarded `JSON.parse` inside a stream event
 * handler, so a non-JSON answer (an HTML error page from a proxy during an outage) crashes
 * the whole process. The SDK still builds the URL, query and `Authorization` header; this
 * only sends them, cancels on `signal`, keeps the SDK's retry policy, and turns every failure
 * into a rejected promise.
 */
export function createDopplerTransport(signal: AbortSignal): DopplerTransport {
  return {
    async get(url, _input, headers, retry = false) {
      const sent = {
        ...headers,
        'User-Agent': 'ironrun (@dopplerhq/node-sdk)',
        accept: 'application/json',
      };
      let delay = firstDelayMs;
      for (let attempt = 1; ; attempt += 1) {
        const last = !retry || attempt >= attempts;
        let answer: { status: number; body: Buffer };
        try {
          answer = await once(url, sent, signal);
        } catch (error) {
          if (signal.aborted || last || error instanceof DopplerBadResponse) throw error;
          await sleep(delay, signal);
          delay *= 2;
          continue;
        }
        if (retriedStatuses.has(answer.status) && !last) {
          await sleep(delay, signal);
          delay *= 2;
          continue;
        }
        if (answer.status >= 400 || answer.status < 200) throw new DopplerHttpStatus(answer.status);
        try {
          return { data: JSON.parse(answer.body.toString('utf8')), status: answer.status };
        } catch {
          throw new DopplerBadResponse(
            `the Doppler API answered HTTP ${answer.status} with a body that is not JSON`,
          );
        } finally {
          answer.body.fill(0);
        }
      }
    },
  };
}
