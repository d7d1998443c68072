import { parseExpression } from 'cron-parser';
import type { CronExpression } from 'cron-parser';
import { EngineError } from '../../errors/errors';

/** A parsed cron expression in a time zone: the ticks it fires at. */
export interface Cron {
  readonly expression: string;
  readonly timezone: string | undefined;
  /** The first tick strictly after `after` (epoch ms), or `undefined` when there is none. */
  nextAfter(after: number): number | undefined;
}

/**
 * Parses a cron expression (5 fields, or 6 with seconds first; cron-parser's syntax) in an IANA
 * time zone (the process's own when `undefined`). Throws `INVALID_CRON` naming the expression or
 * the zone.
 */
export const parseCron = (expression: unknown, timezone?: unknown): Cron => {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new EngineError('INVALID_CRON', `A schedule needs a cron expression, got ${JSON.stringify(expression) ?? String(expression)}.`, { subject: 'cron' });
  }
  const fields = expression.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) {
    throw new EngineError('INVALID_CRON', `Invalid cron '${expression}': it has ${fields} field${fields === 1 ? '' : 's'}; give 5 (minute hour day month weekday) or 6 (seconds first).`, { subject: 'cron' });
  }
  if (timezone !== undefined) {
    let valid = typeof timezone === 'string' && timezone !== '';
    try {
      if (valid) new Intl.DateTimeFormat('en-US', { timeZone: timezone as string });
    } catch {
      valid = false;
    }
    if (!valid) throw new EngineError('INVALID_CRON', `Invalid time zone ${JSON.stringify(timezone) ?? String(timezone)} for cron '${expression}': give an IANA zone such as 'Europe/Paris' or 'UTC'.`, { subject: 'timezone' });
  }
  const tz = timezone as string | undefined;
  const iterate = (after: number): CronExpression => parseExpression<false>(expression, { currentDate: new Date(after), ...(tz === undefined ? {} : { tz }) });
  try {
    iterate(Date.now()).next();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new EngineError('INVALID_CRON', `Invalid cron '${expression}': ${reason}.`, { subject: 'cron' });
  }
  return {
    expression,
    timezone: tz,
    nextAfter: (after) => {
      try {
        return iterate(after).next().getTime();
      } catch {
        return undefined; // an expression with no date left (cron-parser throws at its end date)
      }
    },
  };
};
