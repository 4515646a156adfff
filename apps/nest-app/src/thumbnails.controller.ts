import { Celeriac, type TaskHandles } from '@celeriac/core';
import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { InjectTasks } from '@celeriac/nestjs';
import { Thumbnails } from './thumbnails.js';

@Controller('thumbnails')
export class ThumbnailsController {
  constructor(
    @InjectTasks(Thumbnails) private readonly thumbnails: TaskHandles<Thumbnails>,
    private readonly celeriac: Celeriac,
  ) {}

  /** Enqueues and answers at once; the work runs in a worker. */
  @Post()
  @HttpCode(202)
  async create(@Body() body: { url: string; widths: number[] }): Promise<{ id: string }> {
    const job = await this.thumbnails.make.delay(body.url, body.widths); // typed: (string, number[])
    return { id: job.id };
  }

  /** Waits for the result: typed `{ thumbnails: string[] }`. */
  @Get(':id')
  async result(@Param('id') id: string): Promise<{ thumbnails: string[] }> {
    return this.thumbnails.make.result(id).wait({ timeout: 30_000 });
  }

  /** By name, as a producer that does not import task code would. */
  @Post('sweep')
  @HttpCode(202)
  async sweep(@Body() body: { total: number }): Promise<{ id: string }> {
    const job = await this.celeriac.send<number>('thumbnails.sweep', [body.total]);
    return { id: job.id };
  }
}
