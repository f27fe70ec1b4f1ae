import { useState } from 'preact/hooks';

/** What an input hands over: the value (a TextField) or the input event (a plain input or textarea). */
type Input = string | Event;
const valueOf = (input: Input) => (typeof input === 'string' ? input : (input.currentTarget as HTMLInputElement).value);

/**
 * A form's values and its fields' errors. Editing a field stores its value and clears its error; the
 * next submit checks again.
 */
export function useForm<V extends Record<string, string>>(initial: V) {
  const [values, setValues] = useState<V>(initial);
  const [errors, setErrors] = useState<Partial<Record<keyof V, string>>>({});
  const set = <K extends keyof V>(key: K, value: V[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
  };
  /** The input handler of one field. */
  const edit = (key: keyof V) => (input: Input) => set(key, valueOf(input) as V[keyof V]);
  const reset = (next: Partial<V>) => setValues((v) => ({ ...v, ...next }));
  return { values, errors, setErrors, set, edit, reset };
}
