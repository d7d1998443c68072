import 'reflect-metadata';
import { PostgresStore } from '@pipewright/postgres';
import { describeWaitsContract } from '../../core/test/contract/waits-contract';
import { useDatabase } from './support/database';

describe('PostgresStore durable waits on a real server', () => {
  const database = useDatabase();
  let schemas = 0;
  // A schema per test: every test starts from an empty store, in the file's own database.
  describeWaitsContract('PostgresStore', () => ({ store: new PostgresStore({ connectionString: database.url, schema: `waits_${++schemas}` }) }));
});
