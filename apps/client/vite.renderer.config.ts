import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

// Two pages from one renderer: index.html for the Electron window (talks to window.latchkey) and
// preview.html for the server's demo (runs the controller in the page). Relative asset paths work
// under latchkey://lock/ and under the server's /preview/. No inline script or style: strict CSP.
export default defineConfig({
  root: resolve(here, 'src/renderer'),
  base: './',
  build: {
    outDir: resolve(here, 'dist/renderer'),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: { index: resolve(here, 'src/renderer/index.html'), preview: resolve(here, 'src/renderer/preview.html') },
    },
  },
});
