import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

// A sandboxed preload cannot be an ES module and can require only 'electron' (and a few others):
// everything else, the contracts included, is bundled into one CommonJS file.
export default defineConfig({
  build: {
    outDir: resolve(here, 'dist/preload'),
    emptyOutDir: true,
    sourcemap: false,
    target: 'node20',
    minify: false,
    lib: { entry: resolve(here, 'src/preload/preload.ts'), formats: ['cjs'], fileName: () => 'preload.cjs' },
    rollupOptions: { external: ['electron'] },
  },
});
