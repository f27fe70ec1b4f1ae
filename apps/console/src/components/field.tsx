import type { ComponentChildren } from 'preact';

/** A control's hint and error, with the ids its aria-describedby names (`<id>-hint`, `<id>-error`). */
function FieldNotes({ id, hint, error }: { id: string; hint?: string | undefined; error?: string | undefined }) {
  return (
    <>
      {hint && (
        <span class="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span class="field-error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </>
  );
}

/** A labelled control with its hint and error tied to it for assistive technology. */
export function Field({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  children: ComponentChildren;
}) {
  return (
    <div class={error ? 'field field-invalid' : 'field'}>
      <label for={id}>{label}</label>
      {children}
      <FieldNotes id={id} hint={hint} error={error} />
    </div>
  );
}

/** aria attributes for the control inside a Field. */
export function described(id: string, hint?: string, error?: string) {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': ids || undefined };
}

/** A checkbox with its label, hint and error tied to it; `children` follow the hint (a dependent field, a state). */
export function CheckField({
  id,
  label,
  hint,
  error,
  checked,
  onChange,
  children,
}: {
  id: string;
  label: string;
  hint: string;
  error?: string | undefined;
  checked: boolean;
  onChange: (checked: boolean) => void;
  children?: ComponentChildren;
}) {
  return (
    <div class={error ? 'check-field field-invalid' : 'check-field'}>
      <input
        id={id}
        type="checkbox"
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        aria-invalid={error ? true : undefined}
        checked={checked}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
      <label for={id}>{label}</label>
      <FieldNotes id={id} hint={hint} error={error} />
      {children}
    </div>
  );
}
