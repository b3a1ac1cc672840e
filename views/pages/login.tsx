// /login: sign in to the account page. The error never says which of email or password was wrong.
import { After, CsrfInput, ErrorSummary, Field } from "../components";
import { Layout } from "../layout";

export interface LoginFormProps {
  site: string;
  csrf: string;
  email?: string;
  /** The one generic error (wrong credentials, inactive, throttled). */
  error?: string;
  /** A notice after signing out or setting a password. */
  notice?: string;
}

export function LoginForm(p: LoginFormProps) {
  const errors = p.error ? [{ message: p.error }] : [];
  return (
    <Layout title="Sign in" site={p.site} hasErrors={errors.length > 0}>
      <h1>Sign in</h1>
      <p class="lead">See your licenses and every device signed in to your account.</p>
      {p.notice && (
        <div class="alert alert-success" role="status">
          <p safe>{p.notice}</p>
        </div>
      )}
      <ErrorSummary errors={errors} />
      <form method="post" action="/login" novalidate>
        <CsrfInput token={p.csrf} />
        <Field
          name="email"
          label="Email address"
          type="email"
          value={p.email}
          autocomplete="username"
          required
          autofocus={!p.email}
        />
        <Field
          name="password"
          label="Password"
          type="password"
          autocomplete="current-password"
          required
          autofocus={!!p.email}
        />
        <button type="submit">Sign in</button>
      </form>
      <After>
        <p>
          Forgot your password, or never set one? <a href="/reset-password">Get a link by email</a>
        </p>
      </After>
    </Layout>
  );
}

export function SignOutPage({ site, csrf }: { site: string; csrf: string }) {
  return (
    <Layout title="Sign out" site={site}>
      <h1>Sign out</h1>
      <p class="lead">Sign out of your account page on this device? Your apps stay signed in.</p>
      <form method="post" action="/logout">
        <CsrfInput token={csrf} />
        <button type="submit">Sign out</button>
      </form>
      <After>
        <p>
          <a href="/account">Back to your account</a>
        </p>
      </After>
    </Layout>
  );
}
