import 'reflect-metadata';
import { PostgresStore } from '@pipewright/postgres';
import { describeRunStoreContract } from '../../core/test/contract/run-store-contract';
import { useDatabase } from './support/database';

describe('PostgresStore on a real server', () => {
  const database = useDatabase();
  let schemas = 0;
  // A schema per test: every test starts from an empty store, in the file's own database.
  describeRunStoreContract('PostgresStore', () => ({ store: new PostgresStore({ connectionString: database.url, schema: `contract_${++schemas}` }) }));
});
