import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '@pipewright/core';
import { serveDashboard } from '@pipewright/dashboard';
import type { DashboardServer } from '@pipewright/dashboard';
import { SqliteStore } from '@pipewright/sqlite';

/** An engine on a fresh SQLite file, and a dashboard server over it on a free loopback port. */
export interface DashboardFixture {
  readonly dir: string;
  readonly storePath: string;
  readonly engine: Engine;
  readonly server: DashboardServer;
  /** Closes the server, the engine (stopping its runs) and removes the folder. */
  close(): Promise<void>;
}

export const startDashboard = async (): Promise<DashboardFixture> => {
  const dir = mkdtempSync(join(tmpdir(), 'pipewright-dashboard-'));
  const storePath = join(dir, 'runs.db');
  const store = new SqliteStore({ path: storePath });
  const engine = new Engine({ store });
  let server: DashboardServer;
  try {
    server = await serveDashboard({ engine, artifacts: store.artifacts, port: 0 });
  } catch (error) {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    storePath,
    engine,
    server,
    close: async () => {
      await server.close();
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
