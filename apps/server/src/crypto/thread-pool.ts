/**
 * libuv's thread pool (UV_THREADPOOL_SIZE threads, 4 unless set) runs the server's scrypt checks and,
 * when one of its threads is free, the verdict signatures. A signature queued behind password checks
 * would wait for them: a flood of wrong passwords (each 40-60 ms of scrypt) would hold back every
 * unlock. So work that can also run on the event loop asks first whether a thread is free.
 *
 * The gauge counts the jobs given to it (scrypt, signatures). The storage plugin makes the server's one
 * gauge with the size libuv was started with (config.threadPoolSize) and hands it to the password and
 * signing code (`app.threadPool`). libuv also runs file and DNS work on its pool; none of it is on a
 * request's path here (static files are read once, SMTP connections are pooled).
 */
export interface ThreadPool {
  /** Jobs submitted and not yet finished. */
  readonly busy: number;
  readonly size: number;
  hasFreeThread(): boolean;
  /** Starts a callback-style job on the pool (`start` calls node:crypto with `done`), counted until it ends. */
  submit<T>(start: (done: (err: Error | null, value: T) => void) => void): Promise<T>;
}

/** A gauge of a pool of `size` threads (libuv reads UV_THREADPOOL_SIZE itself when it first starts its pool). */
export function createThreadPool(size: number): ThreadPool {
  let busy = 0;
  return {
    get busy() {
      return busy;
    },
    size,
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
