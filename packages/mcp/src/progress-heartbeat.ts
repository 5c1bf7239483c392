import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * Sends `notifications/progress` every `intervalMs` while a command runs,
 * when the client sent a progress token: the elapsed time and the bytes of
 * output so far. Clients such as Claude Code reset their idle timeout on it.
 * Returns the function that stops it.
 */
export function startProgressHeartbeat(
  extra: RequestHandlerExtra<ServerRequest, ServerNotification>,
  commandId: string,
  intervalMs: number,
  outputBytes: () => number,
): () => void {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return () => {};
  const started = Date.now();
  let last = 0;
  const timer = setInterval(() => {
    // Progress must increase with every notification.
    const elapsedMs = Math.max(last + 1, Date.now() - started);
    last = elapsedMs;
    extra
      .sendNotification({
        method: 'notifications/progress',
        params: {
          progressToken,
          progress: elapsedMs,
          message: `${commandId}: running for ${Math.round(elapsedMs / 1000)} s, ${formatBytes(outputBytes())} of output`,
        },
      })
      .catch(() => {
        // A client that went away is handled by the transport closing.
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
