import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The page, built once by the package's build into dist/ui and shipped prebuilt: users need no
// build step. Relative URLs (`base: './'`), so the same files work under any mount prefix.
export default defineConfig({
  root: fileURLToPath(new URL('./ui/', import.meta.url)),
  base: './',
  // Preact through the automatic JSX runtime, compiled by Vite's own Oxc: no Babel plugin needed.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('./dist/ui/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // One script and one stylesheet: the page is small and served from the app's own server.
    modulePreload: false,
    chunkSizeWarningLimit: 200,
  },
});
