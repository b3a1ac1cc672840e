// The one page layout: header, main card, footer. Every page of seatkey renders inside it.
import type { PropsWithChildren } from "@kitajs/html";
import { ICON, PAGE_SCRIPT, STYLESHEET } from "./assets";

export interface LayoutProps {
  /** The page's own title; "Error: " is put in front when the page shows form errors. */
  title: string;
  /** The host people know this server by (from PUBLIC_URL). */
  site: string;
  hasErrors?: boolean;
  /** A wider card for pages with tables and lists (the account page). */
  wide?: boolean;
}

export function Layout({ title, site, hasErrors, wide, children }: PropsWithChildren<LayoutProps>) {
  const fullTitle = `${hasErrors ? "Error: " : ""}${title} – ${site}`;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title safe>{fullTitle}</title>
        <link rel="stylesheet" href={STYLESHEET.url} />
        <link rel="icon" href={ICON.url} type="image/svg+xml" />
        <script src={PAGE_SCRIPT.url} defer></script>
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="site-header">
          <a class="brand" href="/account">
            <img src={ICON.url} alt="" />
            <span safe>{site}</span>
          </a>
        </header>
        <main id="main">
          <div class={wide ? "card card-wide" : "card"}>{children}</div>
        </main>
        <footer class="site-footer">
          <p>Your account is protected by seatkey.</p>
        </footer>
      </body>
    </html>
  );
}
