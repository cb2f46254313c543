import type pg from 'pg';

export type Unlisten = () => Promise<void>;

type Handler = (payload: string) => void;

interface Subscription {
  handlers: Record<string, Handler>;
  onError: (err: Error) => void;
}

const RECONNECT_MS = 500;

/**
 * One LISTEN connection per pool, shared by every subscriber of the process. PostgreSQL wakes
 * every listening backend of a database on each NOTIFY, whatever the channel, so each extra
 * listening connection costs CPU on every run; sharing also keeps the connection count flat
 * however many live streams are open.
 */
class SharedListener {
  private readonly subscriptions = new Set<Subscription>();
  /** Channels LISTENed on the current connection. */
  private readonly listening = new Set<string>();
  private client: pg.PoolClient | undefined;
  private connecting: Promise<pg.PoolClient> | undefined;
  /** Serialises LISTEN/UNLISTEN commands so the channel set always matches the connection. */
  private queue: Promise<unknown> = Promise.resolve();
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly onEmpty: () => void,
  ) {}

  async add(sub: Subscription): Promise<void> {
    this.subscriptions.add(sub);
    try {
      await this.sync();
    } catch (err) {
      this.subscriptions.delete(sub);
      if (this.subscriptions.size === 0) await this.close();
      throw err;
    }
  }

  async remove(sub: Subscription): Promise<void> {
    if (!this.subscriptions.delete(sub)) return;
    if (this.subscriptions.size === 0) await this.close();
    else await this.sync().catch(() => undefined);
  }

  private wanted(): Set<string> {
    const channels = new Set<string>();
    for (const sub of this.subscriptions) for (const channel of Object.keys(sub.handlers)) channels.add(channel);
    return channels;
  }

  /** Brings the connection's LISTEN set in line with the subscribers' channels. */
  private sync(): Promise<void> {
    const run = this.queue.then(async () => {
      const client = await this.connection();
      const wanted = this.wanted();
      for (const channel of wanted) {
        if (this.listening.has(channel)) continue;
        await client.query(`LISTEN ${quoteChannel(channel)}`);
        this.listening.add(channel);
      }
      for (const channel of [...this.listening]) {
        if (wanted.has(channel)) continue;
        await client.query(`UNLISTEN ${quoteChannel(channel)}`);
        this.listening.delete(channel);
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private connection(): Promise<pg.PoolClient> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      try {
        const client = await this.pool.connect();
        client.on('notification', this.dispatch);
        client.on('error', (err) => this.lost(client, err));
        this.listening.clear();
        this.client = client;
        return client;
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  private readonly dispatch = (msg: pg.Notification): void => {
    for (const sub of this.subscriptions) {
      try {
        sub.handlers[msg.channel]?.(msg.payload ?? '');
      } catch (err) {
        sub.onError(err as Error);
      }
    }
  };

  /** The connection dropped: tell the subscribers (they also poll) and listen again on a new one. */
  private lost(client: pg.PoolClient, err: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.listening.clear();
    client.removeAllListeners('notification');
    client.release(err);
    for (const sub of this.subscriptions) sub.onError(err);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.subscriptions.size === 0) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.sync().catch((err: Error) => {
        for (const sub of this.subscriptions) sub.onError(err);
        this.scheduleReconnect();
      });
    }, RECONNECT_MS);
    this.reconnectTimer.unref();
  }

  private async close(): Promise<void> {
    this.onEmpty();
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    await this.queue;
    const client = this.client ?? (this.connecting ? await this.connecting.catch(() => undefined) : undefined);
    this.client = undefined;
    this.listening.clear();
    if (!client) return;
    await client.query('UNLISTEN *').catch(() => undefined);
    client.removeAllListeners('notification');
    client.removeAllListeners('error');
    client.release();
  }
}

const listeners = new WeakMap<pg.Pool, SharedListener>();

/**
 * Subscribes to Postgres NOTIFY channels. All subscriptions on one pool share a single dedicated
 * connection, which is re-established (and re-LISTENed) when it drops; `onError` hears of the
 * drop. Callers also poll, so a notification lost during a reconnect only delays work. Resolves
 * once the channels are being listened to.
 *
 * @example
 * const unlisten = await listen(pool, { apiq_run_queued: () => executor.fill() });
 * await unlisten();
 */
export async function listen(
  pool: pg.Pool,
  handlers: Record<string, Handler>,
  onError: (err: Error) => void = () => {},
): Promise<Unlisten> {
  let shared = listeners.get(pool);
  if (!shared) {
    const created = new SharedListener(pool, () => {
      if (listeners.get(pool) === created) listeners.delete(pool);
    });
    listeners.set(pool, created);
    shared = created;
  }
  const sub: Subscription = { handlers: { ...handlers }, onError };
  const owner = shared;
  await owner.add(sub);
  let done: Promise<void> | undefined;
  return () => (done ??= owner.remove(sub));
}

function quoteChannel(channel: string): string {
  return `"${channel.replace(/"/g, '""')}"`;
}
