export { CeleriacModule } from './celeriac.module.js';
export { CELERIAC_MODULE_OPTIONS, type CeleriacModuleAsyncOptions, type CeleriacModuleOptions } from './options.js';
export { InjectTasks, type TaskClass, getTasksToken } from './task-handles.js';
