// /reset-password: ask for a one-time link; the answer is the same whatever the email.
import { After, CsrfInput, Field, FormError } from "../components";
import { Layout } from "../layout";

export interface ResetPasswordFormProps {
  site: string;
  csrf: string;
  email?: string;
  emailError?: string;
  /** An error about the whole form (e.g. too many attempts). */
  formError?: string;
}

export function ResetPasswordForm(p: ResetPasswordFormProps) {
  return (
    <Layout title="Reset your password" site={p.site} hasErrors={!!(p.formError || p.emailError)}>
      <h1>Reset your password</h1>
      <p class="lead">Enter the email address of your account. We'll email you a link to choose a new password.</p>
      <FormError message={p.formError} />
      <form method="post" action="/reset-password" novalidate>
        <CsrfInput token={p.csrf} />
        <Field
          name="email"
          label="Email address"
          type="email"
          value={p.email}
          error={p.emailError}
          autocomplete="email"
          required
          autofocus={!!p.emailError || !p.email}
        />
        <button type="submit">Email me a link</button>
      </form>
      <After>
        <p>
          Remembered it? <a href="/login">Sign in</a>
        </p>
      </After>
    </Layout>
  );
}

export function ResetPasswordSent({ site, email }: { site: string; email: string }) {
  return (
    <Layout title="Check your email" site={site}>
      <h1>Check your email</h1>
      <div class="alert alert-success" role="status">
        <p>
          If <strong safe>{email}</strong> belongs to an account here, we've sent it a link to choose a new password.
        </p>
      </div>
      <p>The link works once, for 30 minutes. Using it signs you out on every device.</p>
      <After>
        <p>
          No email after a few minutes? Check your spam folder, or <a href="/reset-password">ask for another link</a>.
        </p>
      </After>
    </Layout>
  );
}
