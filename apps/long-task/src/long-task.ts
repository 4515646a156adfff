import { type TaskContext, task } from '@celeriac/core';

const VERBS = ['Starting up', 'Booting', 'Repairing', 'Loading', 'Checking'];
const ADJECTIVES = ['master', 'radiant', 'silent', 'harmonic', 'fast'];
const NOUNS = ['solar array', 'particle reshaper', 'cosmic ray', 'orbiter', 'bit'];

export interface LongTaskResult {
  current: number;
  total: number;
  status: string;
  result: number;
}

export interface LongTaskOptions {
  /** Pause between steps, in ms (the seed sleeps one second). */
  stepMs: number;
  random: () => number;
}

const pick = (list: string[], random: () => number): string => list[Math.floor(random() * list.length)] as string;

/** The seed's Celery `long_task`, step for step: 10 to 50 steps with a changing status message. */
export class LongTasks {
  constructor(private readonly options: LongTaskOptions = { stepMs: 1_000, random: Math.random }) {}

  @task({ bind: true, name: 'long_task', timeLimit: 10 * 60_000 })
  async longTask(ctx: TaskContext): Promise<LongTaskResult> {
    const { random, stepMs } = this.options;
    const total = 10 + Math.floor(random() * 41);
    let message = '';
    for (let i = 0; i < total; i++) {
      if (message === '' || random() < 0.25) {
        message = `${pick(VERBS, random)} ${pick(ADJECTIVES, random)} ${pick(NOUNS, random)}...`;
      }
      await ctx.progress(i, total, message);
      await sleep(stepMs, ctx.signal);
    }
    return { current: 100, total: 100, status: 'Task completed!', result: 42 };
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
