// Form pieces shared by every page: labelled fields with their error beside them, the CSRF
// field, alerts. Errors are tied to their input with aria-describedby and aria-invalid.
import type { PropsWithChildren } from "@kitajs/html";

export interface FieldProps {
  name: string;
  label: string;
  type?: "text" | "email" | "password";
  /** Kept input to show again; never pass a password here. */
  value?: string;
  error?: string;
  hint?: string;
  autocomplete?: string;
  required?: boolean;
  readonly?: boolean;
  autofocus?: boolean;
  minlength?: number;
}

export function Field(p: FieldProps) {
  const hintId = p.hint ? `${p.name}-hint` : undefined;
  const errorId = p.error ? `${p.name}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div class="field">
      <label for={p.name} safe>
        {p.label}
      </label>
      {p.hint ? (
        <p class="hint" id={hintId} safe>
          {p.hint}
        </p>
      ) : (
        ""
      )}
      {p.error ? (
        <p class="field-error" id={errorId} safe>
          {p.error}
        </p>
      ) : (
        ""
      )}
      <input
        id={p.name}
        name={p.name}
        type={p.type ?? "text"}
        value={p.value}
        autocomplete={p.autocomplete}
        required={p.required}
        readonly={p.readonly}
        autofocus={p.autofocus}
        minlength={p.minlength}
        aria-describedby={describedBy}
        aria-invalid={p.error ? "true" : undefined}
      />
    </div>
  );
}

export function CsrfInput({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

/**
 * A problem with the whole form (e.g. too many attempts), announced at its top. Field problems
 * are shown beside their field instead, which gets the focus (autofocus) and describes it.
 */
export function FormError({ message }: { message?: string }) {
  if (!message) return "";
  return (
    <div class="alert alert-error" role="alert">
      <p safe>{message}</p>
    </div>
  );
}

// HTML allows autofocus on any focusable element; kitajs types it only on form controls.
const AUTOFOCUS: Record<string, boolean> = { autofocus: true };

/**
 * The list of a form's errors at its top, each linking to its field (GOV.UK pattern). With `focus`
 * it takes the focus (autofocus works on any focusable element, no script needed) — for forms
 * whose fields don't take it themselves.
 */
export function ErrorSummary({ errors, focus }: { errors: { field?: string; message: string }[]; focus?: boolean }) {
  if (errors.length === 0) return "";
  return (
    <div class="alert alert-error" role="alert" tabindex="-1" {...(focus ? AUTOFOCUS : {})}>
      <h2>There is a problem</h2>
      <ul>
        {errors.map((e) =>
          e.field ? (
            <li>
              <a href={`#${e.field}`} safe>
                {e.message}
              </a>
            </li>
          ) : (
            <li safe>{e.message}</li>
          ),
        )}
      </ul>
    </div>
  );
}

export function After({ children }: PropsWithChildren) {
  return <div class="after">{children}</div>;
}

/** "New password" + "Type it again", as every form that sets a password has them. */
export function NewPasswordFields(p: {
  minLength: number;
  errors: { password?: string; confirm?: string };
  autofocus?: boolean;
}) {
  const e = p.errors;
  return (
    <>
      <Field
        name="password"
        label="New password"
        type="password"
        hint={`At least ${p.minLength} characters. A short sentence or a few unrelated words work well; no symbols or numbers required.`}
        error={e.password}
        autocomplete="new-password"
        minlength={p.minLength}
        required
        autofocus={p.autofocus && !e.confirm}
      />
      <Field
        name="confirm"
        label="Type it again"
        type="password"
        error={e.confirm}
        autocomplete="new-password"
        required
        autofocus={p.autofocus && !!e.confirm && !e.password}
      />
    </>
  );
}
