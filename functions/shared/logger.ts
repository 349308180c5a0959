/**
 * Structured logging and metrics for the Lambda handlers, via Powertools (JSON logs with the request
 * id, CloudWatch embedded-metric-format metrics without extra API calls).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Log } from '../core/publish/ports.js';

/** Namespace of every Gazette metric in CloudWatch. */
export const METRICS_NAMESPACE = 'Gazette';

/** A Powertools logger for one function (`serviceName` appears on every line). */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
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
