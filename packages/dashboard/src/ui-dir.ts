import { fileURLToPath } from 'node:url';

/**
 * Where the built page lives: `dist/ui`, made by the package's build (Vite). Resolved from here
 * through `../dist/`, which holds both from `src/` (tests run the sources) and from `dist/`.
 */
export const UI_DIR = fileURLToPath(new URL('../dist/ui/', import.meta.url));
