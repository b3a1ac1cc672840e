// One email layout: content in, { subject, html, text } out. Both versions come from the same
// content, so they always say the same thing and carry the same links.
// Inline styles on purpose: mail clients ignore <link> stylesheets and most of <style>.
import { escapeHtml } from "@kitajs/html";
import { renderSync } from "../render";

/** A piece of a paragraph: plain text, or a link shown as its label (or its URL). */
export type Segment = string | { url: string; label?: string };
export type Paragraph = Segment[];

export interface EmailContent {
  subject: string;
  /** Shown by mail clients next to the subject. */
  preview: string;
  /** The mail's heading, shown under the brand. */
  heading: string;
  greeting: string;
  intro: Paragraph[];
  action?: { label: string; url: string };
  details?: { label: string; value: string }[];
  outro: Paragraph[];
  /** Where the mail comes from: BRAND_NAME, or the host ("auth.example.com"). */
  site: string;
  /** An https image shown beside the brand name (BRAND_LOGO_URL). */
  logoUrl?: string;
  /** Why the reader gets this mail; the footer says it. */
  reason: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const S = {
  body: `margin:0;padding:0;background:#f4f5f7;font-family:${FONT};color:#1f2328;`,
  card: "max-width:560px;margin:0 auto;padding:32px 28px;background:#ffffff;border-radius:8px;",
  brand: "max-width:560px;margin:0 auto 12px;padding:0 4px;font-size:15px;font-weight:600;color:#1f2328;",
  logo: "vertical-align:middle;margin-right:8px;border:0;",
  h1: "margin:0 0 20px;font-size:22px;line-height:1.3;font-weight:700;",
  p: "margin:0 0 16px;font-size:16px;line-height:1.5;",
  button:
    "display:inline-block;padding:12px 20px;background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:600;font-size:16px;",
  small: "margin:0 0 12px;font-size:13px;line-height:1.5;color:#59636e;",
  link: "color:#1d4ed8;",
  th: "padding:4px 12px 4px 0;text-align:left;font-weight:600;vertical-align:top;font-size:15px;",
  td: "padding:4px 0;font-size:15px;word-break:break-word;",
};

function SegmentHtml({ segment }: { segment: Segment }) {
  if (typeof segment === "string") return <>{escapeHtml(segment)}</>;
  return (
    <a href={segment.url} class="m-link" style={S.link} safe>
      {segment.label ?? segment.url}
    </a>
  );
}

function ParagraphHtml({ paragraph }: { paragraph: Paragraph }) {
  return (
    <p style={S.p}>
      {paragraph.map((segment) => (
        <SegmentHtml segment={segment} />
      ))}
    </p>
  );
}

function ActionHtml({ action }: { action: { label: string; url: string } }) {
  return (
    <>
      <p style="margin:24px 0;">
        <a href={action.url} class="m-button" style={S.button} safe>
          {action.label}
        </a>
      </p>
      <p class="m-small" style={S.small}>
        If the button doesn't work, copy this address into your browser:{" "}
        <a href={action.url} class="m-link" style={S.link} safe>
          {action.url}
        </a>
      </p>
    </>
  );
}

function DetailsHtml({ details }: { details: { label: string; value: string }[] }) {
  return (
    <table role="presentation" style="margin:0 0 16px;border-collapse:collapse;">
      {details.map((d) => (
        <tr>
          <th style={S.th} safe>
            {d.label}
          </th>
          <td style={S.td} safe>
            {d.value}
          </td>
        </tr>
      ))}
    </table>
  );
}

// Dark mode for the clients that honour it (Apple Mail, iOS, Outlook.com): classes beat the
// inline light colours with !important; clients that drop <style> keep the light design.
const DARK_STYLE = `
:root { color-scheme: light dark; supported-color-schemes: light dark; }
@media (prefers-color-scheme: dark) {
  .m-body { background:#0d1117 !important; color:#e6edf3 !important; }
  .m-card { background:#161b22 !important; }
  .m-brand, .m-text { color:#e6edf3 !important; }
  .m-small { color:#9198a1 !important; }
  .m-link { color:#79b8ff !important; }
  .m-button { background:#388bfd !important; color:#0d1117 !important; }
}`;

function BrandHtml({ c }: { c: EmailContent }) {
  return (
    <div class="m-brand" style={S.brand}>
      {c.logoUrl ? <img src={c.logoUrl} alt="" width="28" height="28" style={S.logo} /> : ""}
      <span safe>{c.site}</span>
    </div>
  );
}

function EmailHtml({ c }: { c: EmailContent }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="supported-color-schemes" content="light dark" />
        <title safe>{c.subject}</title>
        <style>{DARK_STYLE}</style>
      </head>
      <body class="m-body" style={S.body}>
        <div style="display:none;max-height:0;overflow:hidden;" safe>
          {c.preview}
        </div>
        <div style="padding:24px 12px;">
          <BrandHtml c={c} />
          <div class="m-card m-text" style={S.card}>
            <h1 style={S.h1} safe>
              {c.heading}
            </h1>
            <p style={S.p} safe>
              {c.greeting}
            </p>
            {c.intro.map((p) => (
              <ParagraphHtml paragraph={p} />
            ))}
            {c.action ? <ActionHtml action={c.action} /> : ""}
            {c.details?.length ? <DetailsHtml details={c.details} /> : ""}
            {c.outro.map((p) => (
              <ParagraphHtml paragraph={p} />
            ))}
          </div>
          <p class="m-small" style={`${S.small}text-align:center;margin-top:16px;`} safe>
            {footer(c)}
          </p>
        </div>
      </body>
    </html>
  );
}

function paragraphText(paragraph: Paragraph): string {
  return paragraph
    .map((s) => (typeof s === "string" ? s : s.label && s.label !== s.url ? `${s.label} (${s.url})` : s.url))
    .join("");
}

function footer(c: EmailContent): string {
  return `Sent by ${c.site}. ${c.reason}`;
}

function emailText(c: EmailContent): string {
  const blocks: string[] = [c.site.toUpperCase(), c.heading, c.greeting, ...c.intro.map(paragraphText)];
  if (c.action) blocks.push(`${c.action.label}:\n${c.action.url}`);
  if (c.details?.length) blocks.push(c.details.map((d) => `${d.label}: ${d.value}`).join("\n"));
  blocks.push(...c.outro.map(paragraphText));
  blocks.push(`-- \n${footer(c)}`);
  return `${blocks.join("\n\n")}\n`;
}

export function renderEmail(c: EmailContent): RenderedEmail {
  return { subject: c.subject, html: `<!doctype html>${renderSync(<EmailHtml c={c} />)}`, text: emailText(c) };
}
