/**
 * Starts the emulators (s3rver, dynalite, aws-ses-v2-local behind the SES front) once for the browser
 * tests and checks that the browser exists: a missing chromium fails the run, it does not skip it.
 */
import { access, constants } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { type EmulatorEndpoints, startEmulators } from '../../functions/dev/local-aws/emulators.js';

/** Debian's chromium; playwright cannot download its own browsers on these machines. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoints of the running emulators. */
    emulators: EmulatorEndpoints;
  }
}

/** Vitest global setup: returns the teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    await access(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new Error(`${CHROMIUM_PATH} is missing: run "bash tests/setup/ensure-test-tools.sh" (npm test does it in pretest)`);
  }
  const emulators = await startEmulators();
  project.provide('emulators', emulators.endpoints);
  return () => emulators.stop();
}
