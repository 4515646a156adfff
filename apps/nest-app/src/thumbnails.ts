import { type TaskContext, task } from '@celeriac/core';
import { Injectable } from '@nestjs/common';

/** An ordinary service, injected into the task provider as anywhere else in Nest. */
@Injectable()
export class ImageService {
  async resize(url: string, width: number): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 20)); // stands in for real image work
    return `${url}?w=${width}`;
  }
}

/** The tasks: an ordinary provider whose `@task()` methods CeleriacModule finds at start-up. */
@Injectable()
export class Thumbnails {
  constructor(private readonly images: ImageService) {}

  @task({ retries: 2, timeLimit: 60_000 })
  async make(url: string, widths: number[]): Promise<{ thumbnails: string[] }> {
    return { thumbnails: await Promise.all(widths.map((w) => this.images.resize(url, w))) };
  }

  @task({ bind: true, name: 'thumbnails.sweep' })
  async sweep(ctx: TaskContext, total: number): Promise<number> {
    for (let i = 1; i <= total; i++) await ctx.progress(i, total, `swept ${i} of ${total}`);
    return total;
  }
}
