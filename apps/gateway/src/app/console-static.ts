import { existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';

/** Paths the gateway itself answers: never shadowed by the console. */
const API_PREFIXES = ['/graphql', '/api', '/healthz', '/readyz', '/metrics'];


interface StaticRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

interface StaticResponse {
  setHeader(name: string, value: string): void;
  sendFile(path: string, callback: (err?: Error) => void): void;
}

export type ConsoleMiddleware = (req: StaticRequest, res: StaticResponse, next: (err?: unknown) => void) => void;

function isApiPath(path: string): boolean {
  return API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * Serves the web console's files from `dir`, and its index.html for any other
 * GET that asks for HTML (client-side routes such as /groups/web). Returns
 * null when the console is not built, so the gateway runs without it.
 */
export function consoleMiddleware(dir: string): ConsoleMiddleware | null {
  const root = resolve(dir);
  const index = join(root, 'index.html');
  if (!existsSync(index)) return null;
  return (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApiPath(req.path)) return next();
    let decoded: string;
    try {
      decoded = decodeURIComponent(req.path);
    } catch {
      return next(); // a malformed %-escape names no file: the gateway's 404, not a 500
    }
    const file = normalize(join(root, decoded));
    const inside = file.startsWith(root + sep);
    if (inside && extname(file) !== '' && existsSync(file) && statSync(file).isFile()) {
      // hashed file names under assets/ never change
      res.setHeader('cache-control', req.path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      return res.sendFile(file, (err) => err && next(err));
    }
    const accept = String(req.headers['accept'] ?? '');
    if (extname(req.path) !== '' || !accept.includes('text/html')) return next();
    res.setHeader('cache-control', 'no-cache');
    return res.sendFile(index, (err) => err && next(err));
  };
}
