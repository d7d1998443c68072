import 'reflect-metadata';
import { MemoryStore } from '@pipewright/core';
import { describeRunStoreContract } from './contract/run-store-contract';
import { describeWaitsContract } from './contract/waits-contract';

describeRunStoreContract('MemoryStore', () => ({ store: new MemoryStore() }));
describeWaitsContract('MemoryStore', () => ({ store: new MemoryStore() }));
