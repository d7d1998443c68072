import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '@pipewright/sqlite';
import { describeRunStoreContract } from '../../core/test/contract/run-store-contract';

describeRunStoreContract('SqliteStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipewright-contract-'));
  return { store: new SqliteStore({ path: join(dir, 'runs.db') }), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
});
