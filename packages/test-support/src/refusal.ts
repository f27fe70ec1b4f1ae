import { ApiError } from '@latchkey/contracts';

/**
 * The `ApiError` a typed call was refused with, or undefined when it succeeded: for tests that
 * count the outcomes of many calls (`(await refusalOf(call))?.status`). Anything else still throws.
 */
export function refusalOf(call: Promise<unknown>): Promise<ApiError | undefined> {
  return call.then(
    () => undefined,
    (err: unknown) => {
      if (err instanceof ApiError) return err;
      throw err;
    },
  );
}
