/**
 * The module Celeriac's thread and process runners load in the pools benchmark (the worker's
 * `module` option): it exports the app with the benchmark's tasks registered. Runners never touch
 * the app's store, so it keeps the default one; the worker's app uses Redis.
 */
import { Celeriac } from '@celeriac/core';
import { registerBenchTasks } from './work.js';

export const app = new Celeriac({ logger: { debug() {}, info() {}, warn() {}, error() {} } });
registerBenchTasks(app);
