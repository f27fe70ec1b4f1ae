import { defineConfig } from 'vite';

// Served by the Application Server under /console/; everything is an external, hashed file so the
// strict CSP (script-src 'self'; style-src 'self') holds without exceptions.
export default defineConfig({
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
