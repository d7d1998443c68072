import 'reflect-metadata';
import { MemoryStore } from '@pipewright/core';
import { describeRunStoreContract } from './contract/run-store-contract';

describeRunStoreContract('MemoryStore', () => ({ store: new MemoryStore() }));
