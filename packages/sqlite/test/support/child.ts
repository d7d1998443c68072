import { join } from 'node:path';
import { fixtureSpawner } from '../../../core/test/support/child-process';

export { outcomeOf, waitForFile } from '../../../core/test/support/child-process';

/** A TypeScript fixture of this package's `test/fixtures` running in a real child process. */
export const spawnFixture = fixtureSpawner(join(__dirname, '..', 'fixtures'));
