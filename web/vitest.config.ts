import { defineConfig, mergeConfig } from 'vitest/config'
import viteConfig from './vite.config.ts'

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      environment: 'happy-dom',
      include: ['tests/**/*.spec.ts'],
      // Let Vite transform Element Plus so that its async-validator import is interop-safe (as in the browser build).
      server: { deps: { inline: ['element-plus', 'async-validator'] } },
    },
  }),
)
