// /account: profile, licenses with seats, every signed-in device with revoke buttons.
import type { AccountOverview, AccountProductRow, AccountSessionRow } from "../../src/account/service";
import { After, CsrfInput, ErrorSummary, Field, NewPasswordFields } from "../components";
import { DeviceIcon } from "../icons";
import { Layout } from "../layout";

const LIMITED_TEXT: Record<string, string> = {
  no_license: "no license for this app",
  expired: "license expired",
  no_free_seat: "all seats in use",
  seat_cooling_down: "a released seat is still cooling down",
};

/** A stored time as ISO 8601; "" when it is beyond what a Date holds (an old row must not break the page). */
const iso = (ms: number) => {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? "" : date.toISOString();
};
const day = (ms: number) => iso(ms).slice(0, 10) || "far future";

function SessionStatus({ s }: { s: AccountSessionRow }) {
  if (s.kind === "account") return <span class="badge">Account page</span>;
  if (s.seated) return <span class="badge badge-ok">Using a seat</span>;
  if (s.limited)
    return <span class="badge badge-warn" safe>{`Limited: ${LIMITED_TEXT[s.limitedReason ?? ""] ?? "no seat"}`}</span>;
  return <span class="badge">Idle – seat released</span>;
}

function SessionItem({ s, csrf }: { s: AccountSessionRow; csrf: string }) {
  const where = [s.place, s.ip].filter(Boolean).join(" · ");
  return (
    <li class="session">
      <div class="session-main">
        <p class="session-device">
          <DeviceIcon type={s.deviceType} />
          <strong safe>{s.device}</strong> {s.current && <span class="badge badge-current">This device</span>}
        </p>
        <p class="session-meta">
          <SessionStatus s={s} />
          {s.product && <span safe>{` ${s.product}`}</span>}
        </p>
        <p class="session-meta">
          {where && <span safe>{`${where} · `}</span>}
          <span>
            Last active{" "}
            <time class="nowrap" datetime={iso(s.lastUsedAt)} safe>
              {s.lastActive}
            </time>
          </span>
          <span>
            {" · Signed in "}
            <time class="nowrap" datetime={iso(s.createdAt)} safe>
              {s.created}
            </time>
          </span>
        </p>
      </div>
      <form method="post" action={`/account/sessions/${encodeURIComponent(s.id)}/revoke`}>
        <CsrfInput token={csrf} />
        <button
          type="submit"
          class="button-secondary"
          aria-label={`Sign out ${s.device}${s.current ? " (this device)" : ""}`}
        >
          Sign out
        </button>
      </form>
    </li>
  );
}

/** One product: its seats in use, and a released seat still cooling down ("frees in 4 minutes"). */
function ProductRow({ p }: { p: AccountProductRow }) {
  const cooling =
    p.freesIn && ` (${p.cooling === 1 ? "a released seat" : `${p.cooling} released seats`}; one frees ${p.freesIn})`;
  return (
    <tr>
      <td safe>{p.name}</td>
      <td>
        <time class="nowrap" datetime={iso(p.validUntil)} safe>
          {day(p.validUntil)}
        </time>
        {p.seats === 0 && <span class="badge badge-warn"> expired</span>}
      </td>
      <td safe>{`${p.used} / ${p.seats}${cooling || ""}`}</td>
    </tr>
  );
}

export interface AccountPageProps {
  site: string;
  csrf: string;
  overview: AccountOverview;
  notice?: string;
}

export function AccountPage({ site, csrf, overview, notice }: AccountPageProps) {
  const { user, licenses, products, seats, sessions } = overview;
  const others = sessions.filter((s) => !s.current).length;
  return (
    <Layout title="Your account" site={site} wide>
      <h1>Your account</h1>
      {notice && (
        <div class="alert alert-success" role="status">
          <p safe>{notice}</p>
        </div>
      )}
      <section aria-labelledby="profile-heading">
        <h2 id="profile-heading">Profile</h2>
        <dl class="facts">
          <dt>Name</dt>
          <dd safe>{user.name}</dd>
          <dt>Email</dt>
          <dd safe>{user.email}</dd>
        </dl>
        <p>
          <a href="/account/password">Change your password</a>
        </p>
      </section>

      <section aria-labelledby="licenses-heading">
        <h2 id="licenses-heading">Licenses</h2>
        {licenses.length === 0 ? (
          <p>You have no licenses yet. Apps you sign in to will run in limited mode.</p>
        ) : (
          <>
            <p safe>{`${seats.used} of ${seats.total} seats in use across your valid licenses.`}</p>
            <div class="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Product</th>
                    <th scope="col">Valid until</th>
                    <th scope="col">Seats in use</th>
                  </tr>
                </thead>
                <tbody>
                  {products.map((p) => (
                    <ProductRow p={p} />
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>

      <section aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">Where you're signed in</h2>
        <ul class="sessions">
          {sessions.map((s) => (
            <SessionItem s={s} csrf={csrf} />
          ))}
        </ul>
        {others > 0 && (
          <a class="button button-danger" href="/account/sessions/revoke-others">
            Sign out everywhere else…
          </a>
        )}
      </section>
      <After>
        <p>
          <a href="/logout">Sign out of this page</a>
        </p>
      </After>
    </Layout>
  );
}

/** The confirmation step of "Sign out everywhere else": which devices it ends, and a way back. */
export function SignOutOthersPage({ site, csrf, others }: { site: string; csrf: string; others: AccountSessionRow[] }) {
  return (
    <Layout title="Sign out everywhere else?" site={site}>
      <h1>Sign out everywhere else?</h1>
      {others.length === 0 ? (
        <p>No other device is signed in.</p>
      ) : (
        <>
          <p
            safe
          >{`These ${others.length === 1 ? "device" : `${others.length} devices`} will have to sign in again:`}</p>
          <ul class="sessions">
            {others.map((s) => (
              <li class="session">
                <p class="session-device">
                  <DeviceIcon type={s.deviceType} />
                  <strong safe>{s.device}</strong>
                </p>
              </li>
            ))}
          </ul>
          <form method="post" action="/account/sessions/revoke-others">
            <CsrfInput token={csrf} />
            <button type="submit" class="button-danger">
              Sign out {others.length === 1 ? "1 device" : `${others.length} devices`}
            </button>
          </form>
        </>
      )}
      <After>
        <p>
          <a href="/account">Back to your account</a>
        </p>
      </After>
    </Layout>
  );
}

export interface ChangePasswordProps {
  site: string;
  csrf: string;
  email: string;
  minLength: number;
  signOutOthers: boolean;
  errors?: { current?: string; password?: string; confirm?: string; form?: string };
}

export function ChangePasswordPage(p: ChangePasswordProps) {
  const e = p.errors ?? {};
  const list = [
    ...(e.form ? [{ message: e.form }] : []),
    ...(e.current ? [{ field: "current", message: e.current }] : []),
    ...(e.password ? [{ field: "password", message: e.password }] : []),
    ...(e.confirm ? [{ field: "confirm", message: e.confirm }] : []),
  ];
  return (
    <Layout title="Change your password" site={p.site} hasErrors={list.length > 0}>
      <h1>Change your password</h1>
      <ErrorSummary errors={list} focus />
      <form method="post" action="/account/password" novalidate>
        <CsrfInput token={p.csrf} />
        <Field name="username" label="Account" type="email" value={p.email} autocomplete="username" readonly />
        <Field
          name="current"
          label="Current password"
          type="password"
          error={e.current}
          autocomplete="current-password"
          required
        />
        <NewPasswordFields minLength={p.minLength} errors={e} />
        <div class="checkbox">
          <input type="checkbox" id="signOutOthers" name="signOutOthers" value="on" checked={p.signOutOthers} />
          <label for="signOutOthers">
            Sign out every other device (recommended if you think someone knows your password)
          </label>
        </div>
        <button type="submit">Save new password</button>
      </form>
      <After>
        <p>
          <a href="/account">Back to your account</a>
        </p>
      </After>
    </Layout>
  );
}
