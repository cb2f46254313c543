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
  let held: { client: pg.PoolClient; detach(): void } | undefined;
  let closed = false;
  const connect = async (): Promise<void> => {
    const client = await pool.connect();
    const onNotification = (msg: pg.Notification) => handlers[msg.channel]?.(msg.payload ?? '');
    const onClientError = (err: Error) => {
      // Only the connection currently held reacts; one handed back is the pool's concern.
      if (held?.client !== client) return;
      held.detach();
      held = undefined;
      onError(err);
      client.release(err);
      if (!closed) setTimeout(() => void connect().catch(onError), 500).unref();
    };
    client.on('notification', onNotification);
    client.on('error', onClientError);
    held = {
      client,
      detach: () => {
        client.off('notification', onNotification);
        client.off('error', onClientError);
      },
    };
    for (const channel of Object.keys(handlers)) await client.query(`LISTEN "${channel.replace(/"/g, '')}"`);
  };
  await connect();
  return async () => {
    closed = true;
    const h = held;
    held = undefined;
    if (h) {
      await h.client.query('UNLISTEN *').catch(() => {});
      h.detach();
      h.client.release();
    }
  };
}
