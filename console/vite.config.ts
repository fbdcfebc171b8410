/// <reference types="vitest/config" />
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

// A running `make run` (PORT, default 3000) answers the API and the console's config in development.
const platform = `http://127.0.0.1:${process.env.PORT ?? "3000"}`;

// Served by the local platform (and CloudFront) under /console/; every asset is bundled, no CDN.
export default defineConfig({
  base: "/console/",
  plugins: [preact()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, assetsInlineLimit: 0 },
  server: {
    host: "127.0.0.1",
    proxy: { "/team": platform, "/console/config.json": platform, "/admin": platform, "/local/cognito-identity": platform },
  },
  test: { environment: "jsdom", globals: true, include: ["src/**/*.test.{ts,tsx}"] },
});
