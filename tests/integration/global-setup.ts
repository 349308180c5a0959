/**
 * Starts s3rver, dynalite and aws-ses-v2-local (behind the SES front) once for the integration project,
 * hands their endpoints to the tests with `provide`, and stops them afterwards. Each test provisions its
 * own uniquely named bucket and tables, so tests never share state.
 */
import type { TestProject } from 'vitest/node';
import { type EmulatorEndpoints, startEmulators } from '../../functions/dev/local-aws/emulators.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoints of the running emulators. */
    emulators: EmulatorEndpoints;
  }
}

/** Vitest global setup: returns the teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const emulators = await startEmulators();
  project.provide('emulators', emulators.endpoints);
  return () => emulators.stop();
}
