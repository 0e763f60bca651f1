// A timer trigger's schedule as the WebJobs timer extension builds it (TimerSchedule.Create):
// %SETTING% references resolved from app settings, then an NCRONTAB expression, else a TimeSpan
// ("hh:mm:ss", "d.hh:mm", "d", …) meaning a constant interval. Also when the extension turns the
// schedule monitor off (sub-minute schedules), which decides whether a Timer carries a scheduleStatus.
import { CrontabError, parseCron, type CronExpression } from "./ncrontab";

export interface TimerSchedule {
  /** The expression after %SETTING% resolution. */
  readonly expression: string;
  /** Timer.schedule.adjustForDST: true for NCRONTAB (CronSchedule), false for TimeSpans (ConstantSchedule). */
  readonly adjustForDST: boolean;
  /** The next occurrence after `afterMs`, or null if there is none. */
  next(afterMs: number): number | null;
  /** TimerSchedule.ShouldDisableScheduleMonitor / a TimeSpan under a minute. */
  disablesMonitor(nowMs: number): boolean;
  describe(): string;
}

/** INameResolver.ResolveWholeString: every %NAME% is replaced by the app setting NAME. */
export function resolveSettings(text: string, settings: NodeJS.ProcessEnv): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf("%", i);
    if (start < 0) {
      out += text.slice(i);
      break;
    }
    const end = text.indexOf("%", start + 1);
    if (end < 0) throw new Error(`The '%' at position ${start} does not have a closing '%'`);
    const name = text.slice(start + 1, end);
    const value = settings[name];
    if (value === undefined) throw new Error(`'%${name}%' does not resolve to a value.`);
    out += text.slice(i, start) + value;
    i = end + 1;
  }
  return out;
}

/** .NET TimeSpan.TryParse (invariant): "d", "[d.]h:mm[:ss[.fffffff]]", "d:h:mm:ss[.fffffff]"; null if none. */
export function parseTimeSpanMs(text: string): number | null {
  const t = text.trim();
  const days = /^(-)?(\d+)$/.exec(t);
  if (days) return (days[1] ? -1 : 1) * Number(days[2]) * 86_400_000;
  const m =
    /^(-)?(?:(\d+)\.)?(\d+):(\d+)(?::(\d+)(?:\.(\d{1,7}))?)?$/.exec(t) ??
    /^(-)?(\d+):(\d+):(\d+):(\d+)(?:\.(\d{1,7}))?$/.exec(t);
  if (!m) return null;
  const [, neg, d, h, mi, s, frac] = m;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) return null;
  const ms =
    ((Number(d ?? 0) * 24 + Number(h)) * 60 + Number(mi)) * 60_000 +
    Number(s ?? 0) * 1000 +
    (frac ? Math.round(Number(`0.${frac}`) * 1000) : 0);
  return neg ? -ms : ms;
}

function cronSchedule(cron: CronExpression): TimerSchedule {
  const f = cron.fields;
  return {
    expression: cron.expression,
    adjustForDST: true,
    next: (after) => cron.next(after),
    // Only "X * * * * *" can fire more than once a minute; the monitor goes off when it does.
    disablesMonitor: (now) => {
      if (!cron.includesSeconds) return false;
      if (![f.minute, f.hour, f.day, f.month, f.dayOfWeek].every((x) => x.full)) return false;
      const first = cron.next(now);
      const second = first === null ? null : cron.next(first);
      return second !== null && second < now + 60_000;
    },
    describe: () => `Cron: '${cron.expression}'`,
  };
}

function constantSchedule(expression: string, intervalMs: number): TimerSchedule {
  return {
    expression,
    adjustForDST: false,
    next: (after) => after + intervalMs,
    disablesMonitor: () => intervalMs < 60_000,
    describe: () => `Constant: ${expression}`,
  };
}

/** Resolves and parses a schedule; the errors are the extension's. */
export function parseSchedule(raw: string, settings: NodeJS.ProcessEnv): TimerSchedule {
  const expression = resolveSettings(raw, settings);
  try {
    return cronSchedule(parseCron(expression));
  } catch (err) {
    if (!(err instanceof CrontabError)) throw err;
  }
  const ms = parseTimeSpanMs(expression);
  if (ms === null)
    throw new Error(
      `The schedule expression '${expression}' was not recognized as a valid cron expression or timespan string.`,
    );
  // The extension would accept these and fire continuously; refuse instead.
  if (ms <= 0) throw new Error(`The schedule interval '${expression}' must be positive.`);
  return constantSchedule(expression, ms);
}
