import type { AdminClient } from '@latchkey/contracts';
import { useState } from 'preact/hooks';
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

/**
 * The enrolled computers to choose from, with a search box that narrows the list (a few hundred
 * computers are too many to scroll); `unavailable` says why one cannot be chosen (shown after its name).
 */
export function ClientSelect(props: {
  id: string;
  label: string;
  clients: AdminClient[];
  value: string;
  error?: string | undefined;
  unavailable?: (client: AdminClient) => string | undefined;
  onChange: (clientId: string) => void;
}) {
  const [filter, setFilter] = useState('');
  const wanted = filter.trim().toLowerCase();
  // The chosen computer stays in the list whatever the search, so the select never shows another.
  const shown = props.clients.filter((c) => !wanted || c.computerName.toLowerCase().includes(wanted) || c.clientId === props.value);
  const searchId = `${props.id}-search`;
  return (
    <div class="client-select">
      <div class="field">
        <label for={searchId}>Find a computer</label>
        <input
          id={searchId}
          type="search"
          value={filter}
          autoComplete="off"
          spellcheck={false}
          aria-controls={props.id}
          aria-describedby={`${searchId}-count`}
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
        <span class="hint" id={`${searchId}-count`} aria-live="polite">
          {wanted ? `${shown.length} of ${props.clients.length} computers match.` : `${props.clients.length} computers.`}
        </span>
      </div>
      <Field id={props.id} label={props.label} error={props.error}>
        <select
          {...described(props.id, undefined, props.error)}
          value={props.value}
          onChange={(e) => props.onChange(e.currentTarget.value)}
        >
          <option value="">Choose a computer…</option>
          {shown.map((c) => {
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
    </div>
  );
}
