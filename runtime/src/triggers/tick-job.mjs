// Bree runs this file in a worker at each cron tick. The scheduler records the tick when the
// worker is created, so the job itself has nothing to do.
