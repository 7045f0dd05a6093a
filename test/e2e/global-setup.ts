import { existsSync } from 'node:fs';
import { CHROMIUM } from '../../playwright.config';
// @ts-expect-error plain ESM helper without types
import { buildIfNeeded } from '../../scripts/build-if-needed.mjs';

export default function globalSetup() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not at ${CHROMIUM}: on Debian run \`apt-get install chromium\`, or set DATAPATH_LAB_CHROMIUM to a Chromium binary.`);
  }
  if (!(buildIfNeeded as (o: { quiet: boolean }) => boolean)({ quiet: true })) throw new Error('the build failed: run `npm run build` to see why');
}
