import type pg from 'pg';

export type Unlisten = () => Promise<void>;

/**
 * Subscribes to Postgres NOTIFY channels on one dedicated connection, reconnecting when the
 * connection drops (callers also poll, so a notification lost during a reconnect only delays work).
 */
export async function listen(
  pool: pg.Pool,
  handlers: Record<string, (payload: string) => void>,
  onError: (err: Error) => void = () => {},
): Promise<Unlisten> {
  let client: pg.PoolClient | undefined;
  let closed = false;
  const connect = async (): Promise<void> => {
    const c = await pool.connect();
    client = c;
    c.on('notification', (msg) => handlers[msg.channel]?.(msg.payload ?? ''));
    c.on('error', (err) => {
      onError(err);
      c.release(err);
      if (client === c) client = undefined;
      if (!closed) setTimeout(() => void connect().catch(onError), 500).unref();
    });
    for (const channel of Object.keys(handlers)) await c.query(`LISTEN "${channel.replace(/"/g, '')}"`);
  };
  await connect();
  return async () => {
    closed = true;
    const c = client;
    client = undefined;
    if (c) {
      await c.query('UNLISTEN *').catch(() => {});
      c.release();
    }
  };
}
