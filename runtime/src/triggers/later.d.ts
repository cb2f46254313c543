declare module '@breejs/later' {
  interface Schedule {
    prev(count: 1, from?: Date): Date | 0;
    next(count: 1, from?: Date): Date | 0;
  }
  const later: {
    parse: { cron(expr: string, hasSeconds?: boolean): unknown };
    schedule(sched: unknown): Schedule;
  };
  export default later;
}
