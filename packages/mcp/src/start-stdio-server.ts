import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createIronrunServer, type IronrunServerOptions } from './create-ironrun-server.js';

/** A running stdio server, from {@link startStdioServer}. */
export interface StdioServerHandle {
  /** The MCP server. */
  server: McpServer;
  /** Resolves when the client disconnects (stdin closed) or {@link close} is called. */
  closed: Promise<void>;
  /** Closes the connection; running commands are killed. */
  close(): Promise<void>;
}

/**
 * Serves the ironrun MCP server on this process's stdin and stdout (what
 * `ironrun mcp` runs). Nothing else may write to stdout while it runs.
 *
 * @example
 * await startStdioServer({ policyPath: 'ironrun.yml', providers: { envfile: () => import('@ironrun/providers-envfile') } });
 */
export async function startStdioServer(options: IronrunServerOptions): Promise<StdioServerHandle> {
  const server = createIronrunServer(options);
  const transport = new StdioServerTransport();
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  const previousOnClose = server.server.onclose;
  server.server.onclose = () => {
    previousOnClose?.();
    markClosed();
  };
  // The SDK transport does not notice the end of stdin; the client leaving must stop the server.
  const onEnd = () => {
    void server.close();
  };
  process.stdin.once('end', onEnd);
  await server.connect(transport);
  return {
    server,
    closed,
    close: async () => {
      process.stdin.off('end', onEnd);
      await server.close();
    },
  };
}
