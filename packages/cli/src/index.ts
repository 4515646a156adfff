// @celeriac/cli: the `celeriac` command. Importable for config files and scripts.
export { type CeleriacCliConfig, CONFIG_FILES, defineConfig } from './config.js';
export { EXIT_CODES, type ExitCode } from './exit-codes.js';
export { main } from './main.js';
