/**
 * Structured logging and metrics for the Lambda functions, via Powertools (JSON logs with the request
 * id, CloudWatch embedded-metric-format metrics without extra API calls).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, type MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Log } from '../../core/publish/ports.js';
import { METRICS_NAMESPACE } from '../../shared/metric-names.js';

/**
 * Anything shaped like an email address. SES error texts name addresses ("…failed the check in region
 * US-EAST-1: reader@example.com"), so they would reach the logs inside error messages and stacks. A
 * slash ends a match, so module paths in stacks (`node_modules/@aws-sdk/…`) are left alone.
 */
const ADDRESS_LIKE = /[^\s<>()[\]"'@,;:/]+@[^\s<>()[\]"'@,;:/]+\.[^\s<>()[\]"'@,;:/]+/gu;

/** `text` with every address-like run replaced by `[address]`: logs carry subscriber ids, never addresses. */
export function redactAddresses(text: string): string {
  return text.replace(ADDRESS_LIKE, '[address]');
}

/**
 * A Powertools logger for one function (`serviceName` appears on every line). Every string it writes,
 * error messages and stacks included, passes through {@link redactAddresses}.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName, jsonReplacerFn: (_key, value) => (typeof value === 'string' ? redactAddresses(value) : value) });
}

/** A Powertools metrics buffer for one function; flush with `publishStoredMetrics()`. */
export function createMetrics(serviceName: string): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName });
}

/** Adapts a Powertools logger to the core's `log(level, message, data)` callback. */
export function coreLog(logger: Logger): Log {
  return (level, message, data) => {
    if (data) logger[level](message, data);
    else logger[level](message);
  };
}

/** The part of Powertools `Metrics` the functions use (all counts); tests pass a recorder. */
export interface MetricsSink {
  addMetric(name: string, unit: typeof MetricUnit.Count, value: number): unknown;
  publishStoredMetrics(): unknown;
}
