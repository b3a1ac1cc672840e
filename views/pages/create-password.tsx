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
          : "Once it is saved, every device signed in to your account is signed out, so sign in again where you need to."}
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

const DEAD_LINKS = {
  invalid: {
    title: "This link is not valid",
    text: "We don't know this link. Check that you opened the whole link from the email (some mail apps cut long links), or ask for a new one.",
  },
  used: {
    title: "This link has already been used",
    text: "Each link works once, and asking for a new link replaces the older ones. If you have set your password, sign in; if not, ask for a new link.",
  },
  expired: {
    title: "This link has expired",
    text: "Links work for 30 minutes. Ask for a new one and use it within that time.",
  },
} as const;

/** Why a link from an email can't be used, and the way on: a new link, or signing in. */
export function DeadLinkPage({ site, reason }: { site: string; reason: keyof typeof DEAD_LINKS }) {
  const { title, text } = DEAD_LINKS[reason];
  return (
    <Layout title={title} site={site}>
      <h1>{title}</h1>
      <p>{text}</p>
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
