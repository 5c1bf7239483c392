export type { IronrunServerOptions } from './create-ironrun-server.js';
export { createIronrunServer } from './create-ironrun-server.js';
export { defaultStateDir } from './default-state-dir.js';
export type { StdioServerHandle } from './start-stdio-server.js';
export { startStdioServer } from './start-stdio-server.js';
