import { type CeleriacOptions } from '@celeriac/core';
import { type DynamicModule, Module } from '@nestjs/common';
import { CeleriacModule } from '@celeriac/nestjs';
import { ImageService, Thumbnails } from './thumbnails.js';
import { ThumbnailsController } from './thumbnails.controller.js';

@Module({
  imports: [CeleriacModule.forFeature([Thumbnails])],
  providers: [ImageService, Thumbnails],
  controllers: [ThumbnailsController],
})
export class ThumbnailsModule {}

export interface AppModuleOptions {
  /** The store's options for `new Celeriac()` (see store.ts). */
  celeriac: CeleriacOptions;
  /** Run a worker in this process. */
  worker: boolean;
}

/** The root module; the API process and the worker process differ only in `worker`. */
@Module({})
export class AppModule {
  static register(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // In a real app, inject ConfigService here to read the store's URL.
        CeleriacModule.forRootAsync({ useFactory: () => ({ ...options.celeriac, worker: options.worker && { concurrency: 8 } }) }),
        ThumbnailsModule,
      ],
    };
  }
}
