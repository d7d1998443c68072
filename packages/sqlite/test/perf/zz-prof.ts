import 'reflect-metadata';
import { definePipeline, Engine } from '@pipewright/core';
import { SqliteStore } from '@pipewright/sqlite';
import { rmSync } from 'node:fs';
for (const f of ['', '-wal', '-shm']) rmSync('/tmp/sqlbench/p.db' + f, { force: true });
const store = new SqliteStore({ path: '/tmp/sqlbench/p.db', commitEvery: (process.env.MODE as 'event') ?? 'outcome' });
const b = definePipeline({ name: 'chain' });
b.addFunctionStep('s0', () => ({ depth: 1 }));
for (let i = 1; i < 1000; i++) b.addFunctionStep(`s${i}`, () => ({ depth: i }), { parents: [`s${i - 1}`] });
const d = b.build();
void (async () => {
  const e = new Engine({ store });
  for (let r = 0; r < 10; r++) { const t = Date.now(); await e.run(d); console.log('ms', Date.now() - t); }
  await e.close();
})();
