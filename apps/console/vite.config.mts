import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const here = import.meta.dirname;
const root = resolve(here, '../..');
// dev server: API calls go to a running gateway (npm start serves one on 8080)
const gateway = process.env['BERTH_GATEWAY'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  resolve: {
    alias: { '@berth/domain': resolve(root, 'libs/domain/src/index.ts') },
  },
  build: {
    outDir: resolve(root, 'dist/apps/console'),
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/graphql': { target: gateway, ws: true },
      '/api': gateway,
      '/healthz': gateway,
    },
  },
});
