// A message queue for @electric-sql/pglite-socket that keeps each client's extended-protocol exchange
// whole. PGlite has one backend session for all sockets; the stock queue interleaves clients message
// by message outside transactions, so one client's Bind can replace another's unnamed portal between
// its Bind and Execute ("portal does not exist", or worse, the wrong rows). Here, once a client sends
// Parse/Bind/Describe/Execute, only that client is served until its Sync (or a simple Query), as the
// stock queue already does for a client inside a transaction.
import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket';
import { AppError } from '../errors.ts';

/** The queue type PGLiteSocketHandler takes (its class, QueryQueueManager, is not exported). */
export type HandlerQueue = PGLiteSocketHandlerOptions['queryQueue'];
// Every public member of the library's queue, so an upgrade that adds or changes one the handler may
// call fails the typecheck here rather than at run time.
type HandlerQueueContract = { [K in keyof HandlerQueue]: HandlerQueue[K] };

interface Queued {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
}

const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'
const EXTENDED = new Set([0x50, 0x42, 0x44, 0x45, 0x48, 0x43]); // P B D E H C

export class WholeExchangeQueue implements HandlerQueueContract {
  private queue: Queued[] = [];
  private processing = false;
  private owner: number | null = null; // the client whose exchange or transaction is open
  /** Messages answered so far: startup checks that the socket handlers really use this queue. */
  served = 0;
  readonly db: PGlite;

  constructor(db: PGlite) {
    this.db = db;
  }

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.process();
    });
  }

  private async process(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        let index = 0;
        if (this.owner !== null) {
          index = this.queue.findIndex((q) => q.handlerId === this.owner);
          if (index === -1) break; // wait for the owner's next message
        }
        const item = this.queue.splice(index, 1)[0]!;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (error) {
          this.owner = null;
          item.reject(error);
          continue;
        }
        this.served++;
        const type = item.message[0] ?? 0;
        if (this.db.isInTransaction()) this.owner = item.handlerId;
        else if (type === SYNC || type === QUERY || type === TERMINATE) this.owner = null;
        else if (EXTENDED.has(type)) this.owner = item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.queue = this.queue.filter((q) => {
      if (q.handlerId !== handlerId) return true;
      q.reject(new AppError('DB_CLIENT_DISCONNECTED', `Embedded database client #${handlerId} disconnected with messages still queued; they were dropped.`));
      return false;
    });
  }

  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    this.owner = null;
    await this.process();
  }
}
