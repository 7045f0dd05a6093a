import { fileURLToPath } from 'node:url';

/** The built renderer, beside the built main bundle (out/main → out/renderer). */
export function rendererDir(): string {
  return process.env.DATAPATH_LAB_RENDERER_DIR ?? fileURLToPath(new URL('../renderer', import.meta.url));
}
