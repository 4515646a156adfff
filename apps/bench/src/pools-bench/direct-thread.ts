/** The machine's limit: `count` hashes in this thread, no queue. Says 'up', runs on 'go', says 'done'. */
import { parentPort, workerData } from 'node:worker_threads';
import { hashWork } from './work.js';

const { count, rounds } = workerData as { count: number; rounds: number };
parentPort?.once('message', () => {
  for (let i = 0; i < count; i++) hashWork(rounds);
  parentPort?.postMessage('done');
});
parentPort?.postMessage('up');
