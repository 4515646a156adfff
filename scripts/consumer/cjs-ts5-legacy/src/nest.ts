// NestJS's default project shape (CommonJS, node10 resolution, legacy decorators with metadata):
// a task provider with an injected service, handles injected into another provider.
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { task, type TaskHandles } from '@celeriac/core';
import { CeleriacModule, InjectTasks } from '@celeriac/nestjs';

@Injectable()
class Greeter {
  greet(name: string): string {
    return `Hello, ${name}!`;
  }
}

@Injectable()
class Mailer {
  constructor(private readonly greeter: Greeter) {}

  @task()
  async welcome(name: string): Promise<string> {
    return this.greeter.greet(name);
  }
}

@Injectable()
class Signup {
  constructor(@InjectTasks(Mailer) private readonly mailer: TaskHandles<Mailer>) {}

  async run(name: string): Promise<string> {
    return (await this.mailer.welcome.delay(name)).wait({ timeout: 10_000 });
  }
}

@Module({ imports: [CeleriacModule.forRoot({ worker: true }), CeleriacModule.forFeature([Mailer])], providers: [Greeter, Mailer, Signup] })
class AppModule {}

async function main(): Promise<void> {
  const nest = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const text = await nest.get(Signup).run('Ada');
  await nest.close();
  if (text !== 'Hello, Ada!') throw new Error(`wrong result: ${text}`);
  console.log(`consumer ok: Nest Mailer.welcome → ${text}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
