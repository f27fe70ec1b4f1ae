import type { AdminClient } from '@latchkey/contracts';
import { Field, described } from './field';

/** A one-line text input in a Field; `onInput` gets the value (the caller clears its error there). */
export function TextField(props: {
  id: string;
  label: string;
  hint?: string;
  error?: string | undefined;
  value: string;
  maxLength: number;
  type?: 'text' | 'email';
  class?: string;
  onInput: (value: string) => void;
}) {
  return (
    <Field id={props.id} label={props.label} hint={props.hint} error={props.error}>
      <input
        {...described(props.id, props.hint, props.error)}
        type={props.type ?? 'text'}
        class={props.class}
        value={props.value}
        maxLength={props.maxLength}
        autoComplete="off"
        spellcheck={false}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </Field>
  );
}

/** The enrolled computers to choose from; `unavailable` says why one cannot be chosen (shown after its name). */
export function ClientSelect(props: {
  id: string;
  label: string;
  clients: AdminClient[];
  value: string;
  error?: string | undefined;
  unavailable?: (client: AdminClient) => string | undefined;
  onChange: (clientId: string) => void;
}) {
  return (
    <Field id={props.id} label={props.label} error={props.error}>
      <select {...described(props.id, undefined, props.error)} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <option value="">Choose a computer…</option>
        {props.clients.map((c) => {
          const why = props.unavailable?.(c);
          return (
            <option key={c.clientId} value={c.clientId} disabled={why !== undefined}>
              {c.computerName}
              {why ? ` (${why})` : ''}
            </option>
          );
        })}
      </select>
    </Field>
  );
}
