/** Escapes text for HTML content and attribute values. */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** What a page shell needs. */
export interface PageOptions {
  readonly title: string;
  /** Where the dashboard is mounted, ending with `/`: every link in the page is relative to it. */
  readonly base: string;
  readonly page: 'runs' | 'run' | 'not-found';
  readonly runId?: string;
}

const ICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%23161b22'/%3E%3Cpath d='M3 4h4v3H3zM9 9h4v3H9zM5 7v3.5h4' stroke='%2358a6ff' fill='none' stroke-width='1.5'/%3E%3C/svg%3E";

/**
 * The HTML shell of a page: a header, a main region the front-end fills, and the bundle. The
 * data it shows comes from the JSON API, so the same endpoints serve people and programs.
 */
export const pageShell = (options: PageOptions): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)} · Pipewright</title>
<base href="${escapeHtml(options.base)}">
<link rel="icon" href="${ICON}">
<link rel="stylesheet" href="assets/app.css">
<script src="assets/app.js" defer></script>
</head>
<body data-page="${options.page}"${options.runId === undefined ? '' : ` data-run-id="${escapeHtml(options.runId)}"`}>
<a class="skip-link" href="#main">Skip to content</a>
<header class="topbar">
  <a class="brand" href="./"><span class="brand-mark" aria-hidden="true"></span>Pipewright</a>
  <nav aria-label="Main"><a href="./">Runs</a></nav>
</header>
<main id="main" tabindex="-1">
${options.page === 'not-found' ? '<h1>Not found</h1><p>There is no such page. <a href="./">See the runs</a>.</p>' : '<p class="loading" role="status">Loading…</p>'}
</main>
</body>
</html>
`;
