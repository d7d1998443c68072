import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The server the tests use: the `postgres` superuser over TCP on 127.0.0.1:5432 (trust auth), or $PIPEWRIGHT_TEST_POSTGRES. */
export const SERVER_URL = process.env.PIPEWRIGHT_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';

const adminUrl = `${SERVER_URL}/postgres`;

/** Runs `fn` on a connection to the server's `postgres` database, closed afterwards. */
export const withAdmin = async <T>(fn: (client: Client) => Promise<T>): Promise<T> => {
  const client = new Client({ connectionString: adminUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
};

/** `true` when the server answers. */
export const serverIsUp = async (): Promise<boolean> => {
  try {
    await withAdmin((client) => client.query('SELECT 1'));
    return true;
  } catch {
    return false;
  }
};

/** Ends every connection to `name` but the caller's, as a server restart would. */
export const terminateBackends = (name: string): Promise<number> =>
  withAdmin(async (client) => {
    const { rows } = await client.query<{ ok: boolean }>(
      'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
    return rows.filter((row) => row.ok).length;
  });

/** Lets (or stops letting) anyone connect to `name`; stopping also ends its connections. */
export const allowConnections = async (name: string, allowed: boolean): Promise<void> => {
  await withAdmin((client) => client.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS ${allowed ? 'true' : 'false'}`));
  if (!allowed) await terminateBackends(name);
};

/**
 * A database of its own for one test file: created in `beforeAll` (CREATE DATABASE pw_test_<random>)
 * and dropped in `afterAll`, even when tests failed. Without a server the file's tests fail under
 * CI=true; elsewhere they are skipped with a note. Call at the top of a `describe`.
 */
export const useDatabase = (): { readonly name: string; readonly url: string; readonly available: boolean } => {
  const state = { name: `pw_test_${randomBytes(6).toString('hex')}`, available: false };
  beforeAll(async () => {
    if (!(await serverIsUp())) {
      if (process.env.CI === 'true') throw new Error(`No PostgreSQL server at ${SERVER_URL}: the Postgres tests need one under CI.`);
      process.stderr.write(`No PostgreSQL server at ${SERVER_URL}: skipping the Postgres tests of this file.\n`);
      return;
    }
    await withAdmin((client) => client.query(`CREATE DATABASE "${state.name}"`));
    state.available = true;
  });
  afterAll(async () => {
    if (!state.available) return;
    await withAdmin(async (client) => {
      await client.query(`ALTER DATABASE "${state.name}" ALLOW_CONNECTIONS true`);
      await client.query(`DROP DATABASE IF EXISTS "${state.name}" WITH (FORCE)`);
    });
  });
  return {
    get name() {
      return state.name;
    },
    get url() {
      return `${SERVER_URL}/${state.name}`;
    },
    get available() {
      return state.available;
    },
  };
};
