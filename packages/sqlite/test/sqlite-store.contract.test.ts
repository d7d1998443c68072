import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '@pipewright/sqlite';
import { describeRunStoreContract } from '../../core/test/contract/run-store-contract';
import { describeWaitsContract } from '../../core/test/contract/waits-contract';

const openSqlite = () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipewright-contract-'));
  return { store: new SqliteStore({ path: join(dir, 'runs.db') }), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
};

describeRunStoreContract('SqliteStore', openSqlite);
describeWaitsContract('SqliteStore', openSqlite);
