/**
 * libuv's thread pool (UV_THREADPOOL_SIZE threads, 4 unless set) runs the server's scrypt checks and,
 * when one of its threads is free, the verdict signatures. A signature queued behind password checks
 * would wait for them: a flood of wrong passwords (each 40-60 ms of scrypt) would hold back every
 * unlock. So work that can also run on the event loop asks first whether a thread is free.
 *
 * The gauge counts the jobs the server itself puts on the pool (scrypt, signatures). libuv also runs
 * file and DNS work there; none of it is on a request's path here (static files are read once, SMTP
 * connections are pooled).
 */
export interface ThreadPool {
  /** Jobs submitted and not yet finished. */
  readonly busy: number;
  readonly size: number;
  /** libuv reads UV_THREADPOOL_SIZE itself when it first starts the pool; the server tells the gauge (config.threadPoolSize). */
  resize(size: number): void;
  hasFreeThread(): boolean;
  /** Starts a callback-style job on the pool (`start` calls node:crypto with `done`), counted until it ends. */
  submit<T>(start: (done: (err: Error | null, value: T) => void) => void): Promise<T>;
}

export function createThreadPool(size: number): ThreadPool {
  let busy = 0;
  return {
    get busy() {
      return busy;
    },
    get size() {
      return size;
    },
    resize(newSize) {
      size = newSize;
    },
    hasFreeThread: () => busy < size,
    submit<T>(start: (done: (err: Error | null, value: T) => void) => void): Promise<T> {
      busy++;
      return new Promise<T>((resolve, reject) => {
        try {
          start((err, value) => {
            busy--;
            if (err) reject(err);
            else resolve(value);
          });
        } catch (err) {
          busy--;
          reject(err as Error);
        }
      });
    },
  };
}

/** libuv's default pool size. */
export const DEFAULT_THREAD_POOL_SIZE = 4;

/** The process's one gauge, as libuv's pool is one per process. */
export const threadPool: ThreadPool = createThreadPool(DEFAULT_THREAD_POOL_SIZE);
