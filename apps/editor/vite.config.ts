import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// In `vite dev`, API calls go to a running `apiq web` (APIQ_API_URL, default port 3000).
const api = process.env.APIQ_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [sveltekit()],
  server: { proxy: { '/api': api, '/webhook': api } },
});
