// Standard decorators only: the compiler itself rejects @task() on anything but a method.
import { task } from '../../src/index.js';

export class Misuses {
  // @ts-expect-error a field is not a method
  @task()
  field = 1;

  // @ts-expect-error a getter is not a method
  @task()
  get value(): number {
    return 1;
  }
}
