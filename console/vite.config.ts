/**
 * The console's build (SPEC §10): `vite build --config console/vite.config.ts` writes `console/dist`,
 * which `npm start` serves at `/` and the CDK construct uploads to S3. No asset is inlined (the CSP
 * allows only the console's own files) and every page beyond the first is its own chunk, so the first
 * load carries only the shell (its gzipped size is in `npm run bench`).
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
    reportCompressedSize: false,
    // The entry chunk is ≈ 500 KB raw; what the console is held to is its gzipped first load (≤ 200 KB,
    // `npm run bench`), so Rollup's raw-size warning would only be noise in every build.
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npx vite console` during development: the API from `npm start` on the same origin.
    proxy: { '/v2': 'http://localhost:3000', '/_local': 'http://localhost:3000' },
  },
});
