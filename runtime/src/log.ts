/** Structured JSON logs on stderr, one object per line. Never pass secrets in `data`. */
export interface Log {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = keyof typeof LEVELS;

export function createLogger(context: Record<string, unknown> = {}, level: Level = envLevel()): Log {
  const min = LEVELS[level];
  const write = (lvl: Exclude<Level, 'silent'>) => (message: string, data?: Record<string, unknown>) => {
    if (LEVELS[lvl] < min) return;
    process.stderr.write(
      JSON.stringify({ time: new Date().toISOString(), level: lvl, msg: message, ...context, ...data }) + '\n',
    );
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

function envLevel(): Level {
  const v = process.env.APIQ_LOG_LEVEL as Level | undefined;
  if (v && v in LEVELS) return v;
  return process.env.NODE_ENV === 'test' || process.env.VITEST ? 'silent' : 'info';
}
