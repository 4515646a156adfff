import { Celeriac, type TaskContext, type TaskHandles, task } from '@celeriac/core';
import { Body, Controller, Get, Injectable, Module, Param, Post } from '@nestjs/common';
import { CeleriacModule, type CeleriacModuleOptions, InjectTasks } from '../src/index.js';

// A small Nest application in the usual shape: a service injected into a task provider, typed
// handles injected into a controller, the app itself injected for untyped `send()`.

@Injectable()
export class Greeter {
  greet(name: string): string {
    return `Hello, ${name}!`;
  }
}

@Injectable()
export class Mailer {
  readonly finished: string[] = [];

  constructor(private readonly greeter: Greeter) {}

  @task()
  async welcome(name: string): Promise<{ text: string }> {
    return { text: this.greeter.greet(name) };
  }

  @task({ bind: true, name: 'mail.digest' })
  async digest(ctx: TaskContext, ms: number): Promise<number> {
    await ctx.progress(0, 1);
    await new Promise((resolve) => setTimeout(resolve, ms));
    this.finished.push(ctx.id);
    return ms;
  }
}

@Controller('welcome')
export class WelcomeController {
  constructor(
    @InjectTasks(Mailer) private readonly mailer: TaskHandles<Mailer>,
    private readonly app: Celeriac,
  ) {}

  @Post()
  async create(@Body() body: { name: string }): Promise<{ id: string }> {
    const result = await this.mailer.welcome.delay(body.name);
    return { id: result.id };
  }

  @Get(':id')
  async read(@Param('id') id: string): Promise<{ text: string }> {
    return this.mailer.welcome.result(id).wait({ timeout: 10_000 });
  }

  @Post('digest')
  async digest(@Body() body: { ms: number }): Promise<{ id: string }> {
    // A producer that does not import the task class names the task instead.
    const result = await this.app.send<number>('mail.digest', [body.ms]);
    return { id: result.id };
  }
}

@Module({ imports: [CeleriacModule.forFeature([Mailer])], providers: [Greeter, Mailer], controllers: [WelcomeController] })
export class MailModule {}

/** The root module, with the Celeriac options made by an async factory (as from a config service). */
export function appModule(options: CeleriacModuleOptions): new () => object {
  @Module({ imports: [CeleriacModule.forRootAsync({ useFactory: async () => options }), MailModule] })
  class AppModule {}
  return AppModule;
}
