/**
 * The AWS SDK warns once per process that its releases from January 2027 need Node 22. For a local
 * command that is noise on every run (the README states the Node policy), so the local entry points
 * turn it off with the SDK's own switch; Lambda handlers do not call this, so their logs keep it.
 */
export function quietSdkNodeVersionWarning(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
