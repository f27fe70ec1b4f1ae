import { useState } from 'preact/hooks';
import { errorMessage } from '../data/errors';

/** What an input hands over: the value (a TextField) or the input event (a plain input or textarea). */
type Input = string | Event;
const valueOf = (input: Input) => (typeof input === 'string' ? input : (input.currentTarget as HTMLInputElement).value);

/** What a form's check found wrong, by field. */
export type FieldErrors<V> = Partial<Record<keyof V, string>>;

/**
 * A form's values and its fields' errors. Editing a field stores its value and clears its error; the
 * next submit checks again.
 */
export function useForm<V extends Record<string, string>>(initial: V) {
  const [values, setValues] = useState<V>(initial);
  const [errors, setErrors] = useState<FieldErrors<V>>({});
  const set = <K extends keyof V>(key: K, value: V[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
  };
  /** The input handler of one field. */
  const edit = (key: keyof V) => (input: Input) => set(key, valueOf(input) as V[keyof V]);
  /** What a field shows: its value and its error. */
  const shown = (key: keyof V) => ({ value: values[key], error: errors[key] });
  const reset = (next: Partial<V>) => setValues((v) => ({ ...v, ...next }));
  return { values, errors, setErrors, set, edit, shown, reset };
}

/**
 * Runs one action at a time: `busy` while it runs; its message, or the error's, goes to `say`, and
 * `after` runs once it succeeded.
 */
export function useAction(say: (text: string, ok: boolean) => void) {
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<string>, after?: () => void) => {
    setBusy(true);
    try {
      say(await work(), true);
      after?.();
    } catch (err) {
      say(errorMessage(err), false);
    } finally {
      setBusy(false);
    }
  };
  return { busy, run };
}
