// Static assets of the pages, read once at start. URLs carry a content hash, so browsers may
// cache them for a year and still get a new stylesheet right after an upgrade.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

export interface Asset {
  path: string;
  url: string;
  etag: string;
  contentType: string;
  body: string;
}

function load(file: string, contentType: string): Asset {
  const body = readFileSync(new URL(`./${file}`, import.meta.url), "utf8");
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 12);
  const path = `/assets/${file}`;
  return { path, url: `${path}?v=${hash}`, etag: `"${hash}"`, contentType, body };
}

export const STYLESHEET = load("style.css", "text/css; charset=utf-8");
export const ICON = load("icon.svg", "image/svg+xml");
export const PAGE_SCRIPT = load("page.js", "text/javascript; charset=utf-8");
export const ASSETS = [STYLESHEET, ICON, PAGE_SCRIPT];
