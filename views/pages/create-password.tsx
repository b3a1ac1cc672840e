// /create-password?token=…: choose a password with a one-time link from an email.
import { After, CsrfInput, Field, FormError, NewPasswordFields } from "../components";
import { Layout } from "../layout";

export interface CreatePasswordFormProps {
  site: string;
  csrf: string;
  token: string;
  email: string;
  /** A new account setting its first password, or an existing one resetting it. */
  firstPassword: boolean;
  minLength: number;
  errors?: { password?: string; confirm?: string; form?: string };
}

export function CreatePasswordForm(p: CreatePasswordFormProps) {
  const e = p.errors ?? {};
  const title = p.firstPassword ? "Set your password" : "Choose a new password";
  return (
    <Layout title={title} site={p.site} hasErrors={!!(e.form || e.password || e.confirm)}>
      <h1>{title}</h1>
      <p class="lead">
        {p.firstPassword
          ? "Choose a password to finish setting up your account."
          : "Choose a new password. Every device signed in to your account will be signed out."}
      </p>
      <FormError message={e.form} />
      {/* The token rides in the action too, so an error page's "try again" can lead back to this form. */}
      <form method="post" action={`/create-password?token=${encodeURIComponent(p.token)}`} novalidate>
        <CsrfInput token={p.csrf} />
        <input type="hidden" name="token" value={p.token} />
        <Field name="username" label="Account" type="email" value={p.email} autocomplete="username" readonly />
        <NewPasswordFields minLength={p.minLength} errors={e} autofocus />
        <button type="submit">{p.firstPassword ? "Set password" : "Save new password"}</button>
      </form>
    </Layout>
  );
}

export function PasswordSet({ site }: { site: string }) {
  return (
    <Layout title="Password saved" site={site}>
      <h1>Password saved</h1>
      <div class="alert alert-success" role="status">
        <p>Your new password is set. For your safety, every device that was signed in has been signed out.</p>
      </div>
      <a class="button" href="/login">
        Sign in
      </a>
    </Layout>
  );
}

export function LinkExpired({ site }: { site: string }) {
  return (
    <Layout title="This link has expired" site={site}>
      <h1>This link has expired</h1>
      <p>
        The link you followed is no longer valid. Links work only once and for 30 minutes, and asking for a new link
        replaces the older ones.
      </p>
      <a class="button" href="/reset-password">
        Get a new link
      </a>
      <After>
        <p>
          Already set your password? <a href="/login">Sign in</a>
        </p>
      </After>
    </Layout>
  );
}
