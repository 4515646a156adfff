import { app, tasks } from './app.js';

// Type tests: the handles are typed from the methods in every shape.
// @ts-expect-error add takes numbers
export const wrongArgument = () => tasks.add.delay('2', 3);
// @ts-expect-error the bound context is not the caller's to pass
export const passesContext = () => tasks.square.delay({}, 3);

async function main(): Promise<void> {
  await app.worker({ concurrency: 2 }).start();
  const sum: number = await (await tasks.add.delay(2, 3)).wait({ timeout: 10_000 });
  // A producer that does not import the task class enqueues by name.
  const square = await (await app.send<number>('math.square', [7])).wait({ timeout: 10_000 });
  await app.close();
  if (sum !== 5 || square !== 49) throw new Error(`wrong results: ${sum}, ${square}`);
  console.log(`consumer ok: MathTasks.add → ${sum}, math.square → ${square}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
