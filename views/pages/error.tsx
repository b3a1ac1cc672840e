// Any page request that ends in an error: what happened, and where to go next.
import { Layout } from "../layout";

export interface ErrorPageProps {
  site: string;
  title: string;
  message: string;
  /** Where to go next; the home of the account pages by default. */
  next?: { href: string; label: string };
}

export function ErrorPage({ site, title, message, next }: ErrorPageProps) {
  const link = next ?? { href: "/account", label: "Go to your account" };
  return (
    <Layout title={title} site={site}>
      <h1 safe>{title}</h1>
      <p safe>{message}</p>
      <a class="button" href={link.href} safe>
        {link.label}
      </a>
    </Layout>
  );
}
