// Errors of page requests render as HTML pages (with the page headers), never as JSON. Registered
// globally *before* the root JSON handler; for every other request it returns nothing, so API
// errors keep their { error, code } JSON shape.
import { Elysia } from "elysia";
import { ErrorPage, type ErrorPageProps } from "../../views/pages/error";
import { renderSync } from "../../views/render";
import type { Deps } from "../deps";
import { AppError } from "../errors";
import { htmlResponse, isPageRequest, siteName } from "./page";

type PageError = Omit<ErrorPageProps, "site"> & { status: number; headers?: Record<string, string> };

/** A browser asking for a page that does not exist gets an HTML 404 (never for /api). */
function wantsHtml(request: Request): boolean {
  const path = new URL(request.url).pathname;
  return (
    request.method === "GET" && !path.startsWith("/api/") && !!request.headers.get("accept")?.includes("text/html")
  );
}

function describe(code: string | number, error: unknown, request: Request): PageError {
  const url = new URL(request.url);
  const back = { href: url.pathname + url.search, label: "Try again" };
  if (error instanceof AppError) {
    const forbidden = error.status === 403;
    const title = forbidden ? "This form was refused" : error.status === 429 ? "Too many attempts" : "That didn't work";
    return { status: error.status, title, message: error.message, headers: error.headers, next: back };
  }
  if (code === "NOT_FOUND") {
    return { status: 404, title: "Page not found", message: "There is no page at this address. Check the link." };
  }
  if (code === "VALIDATION" || code === "PARSE") {
    return {
      status: 400,
      title: "That didn't work",
      message: "Some of the form's data was missing or invalid.",
      next: back,
    };
  }
  return { status: 500, title: "Something went wrong", message: "Something went wrong on our side. Please try again." };
}

export function pageErrors(deps: Deps) {
  return new Elysia({ name: "page-errors" }).onError({ as: "global" }, ({ code, error, request }) => {
    if (!isPageRequest(request) && !(code === "NOT_FOUND" && wantsHtml(request))) return;
    const page = describe(code, error, request);
    if (page.status >= 500) {
      deps.log.error("unhandled page error", { path: new URL(request.url).pathname, error: String(error) });
    }
    const { status, headers, ...props } = page;
    return htmlResponse(status, renderSync(<ErrorPage site={siteName(deps)} {...props} />), headers);
  });
}
