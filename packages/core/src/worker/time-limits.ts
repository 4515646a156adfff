import { TimeLimitExceededError } from '../errors/time-limit-error.js';

/**
 * Arms a task's time limits. The soft limit aborts the task's signal so it can stop cleanly; the
 * hard limit also rejects `hardLimit`, which the executor races against the task, so the slot is
 * freed even if the task ignores its signal (JavaScript cannot kill a running function).
 */
export interface ArmedLimits {
  hardLimit: Promise<never> | undefined;
  disarm(): void;
}

const NO_LIMITS: ArmedLimits = { hardLimit: undefined, disarm: () => {} };

export function armTimeLimits(target: { abort(reason: unknown): void }, soft: number | undefined, hard: number | undefined): ArmedLimits {
  if (soft === undefined && hard === undefined) return NO_LIMITS;
  const timers: NodeJS.Timeout[] = [];
  if (soft !== undefined) {
    timers.push(setTimeout(() => target.abort(new TimeLimitExceededError(soft, 'soft')), soft));
  }
  let hardLimit: Promise<never> | undefined;
  if (hard !== undefined) {
    hardLimit = new Promise<never>((_, reject) => {
      timers.push(
        setTimeout(() => {
          const error = new TimeLimitExceededError(hard, 'hard');
          target.abort(error);
          reject(error);
        }, hard),
      );
    });
  }
  return {
    hardLimit,
    disarm: () => {
      for (const timer of timers) clearTimeout(timer);
    },
  };
}
