import { Celeriac } from '@celeriac/core';
import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CeleriacExplorer } from './celeriac-explorer.js';
import { CELERIAC_MODULE_OPTIONS, type CeleriacModuleAsyncOptions, type CeleriacModuleOptions, appOptions } from './options.js';
import { type TaskClass, getTasksToken, lazyHandles } from './task-handles.js';

/**
 * Celeriac in a Nest application, in the shape of `@nestjs/bullmq`: `forRoot` / `forRootAsync`
 * once in the root module (global), `forFeature([TaskClass])` where typed handles are injected.
 * Task classes are ordinary providers; the app itself is injectable as `Celeriac`.
 */
@Module({})
export class CeleriacModule {
  /** The app from options given here (the store, and whether this process runs a worker). */
  static forRoot(options: CeleriacModuleOptions = {}): DynamicModule {
    return rootModule([{ provide: CELERIAC_MODULE_OPTIONS, useValue: options }]);
  }

  /** The app from options made by a factory, e.g. the store's URL from `ConfigService`. */
  static forRootAsync(options: CeleriacModuleAsyncOptions): DynamicModule {
    return rootModule(
      [{ provide: CELERIAC_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }],
      options.imports ?? [],
    );
  }

  /** Makes `@InjectTasks(TaskClass)` work in the importing module. The classes stay providers of their own modules. */
  static forFeature(taskClasses: readonly TaskClass[]): DynamicModule {
    const providers: Provider[] = taskClasses.map((taskClass) => ({
      provide: getTasksToken(taskClass),
      useFactory: (explorer: CeleriacExplorer) => lazyHandles(taskClass, explorer),
      inject: [CeleriacExplorer],
    }));
    return { module: CeleriacModule, providers, exports: providers };
  }
}

/** The global module holding the options, the app and the explorer. */
function rootModule(optionProviders: Provider[], imports: NonNullable<DynamicModule['imports']> = []): DynamicModule {
  return {
    module: CeleriacModule,
    global: true,
    imports: [DiscoveryModule, ...imports],
    providers: [
      ...optionProviders,
      { provide: Celeriac, useFactory: (options: CeleriacModuleOptions) => new Celeriac(appOptions(options)), inject: [CELERIAC_MODULE_OPTIONS] },
      CeleriacExplorer,
    ],
    exports: [Celeriac, CeleriacExplorer, CELERIAC_MODULE_OPTIONS],
  };
}
