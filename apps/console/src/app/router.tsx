import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';

/** A tiny history router: the gateway answers every console path with index.html. */
export function navigate(path: string): void {
  if (path === window.location.pathname + window.location.search) return;
  window.history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useLocationPath(): string {
  const [path, setPath] = useState(() => window.location.pathname);
  useEffect(() => {
    const update = () => setPath(window.location.pathname);
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return path;
}

export function Link(props: { readonly to: string; readonly children: ReactNode; readonly className?: string }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={props.to} onClick={onClick} className={props.className}>
      {props.children}
    </a>
  );
}

export type Route =
  | { readonly page: 'groups' }
  | { readonly page: 'group'; readonly name: string }
  | { readonly page: 'fleet' }
  | { readonly page: 'jobs' }
  | { readonly page: 'job'; readonly id: string }
  | { readonly page: 'audit' }
  | { readonly page: 'releases' }
  | { readonly page: 'release'; readonly id: string }
  | { readonly page: 'plans' }
  | { readonly page: 'plan'; readonly id: string }
  | { readonly page: 'pipelines' }
  | { readonly page: 'pipeline'; readonly service: string }
  | { readonly page: 'freezes' }
  | { readonly page: 'tokens' }
  | { readonly page: 'not-found'; readonly path: string };

export function routeOf(path: string): Route {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second] = parts;
  if (parts.length === 0 || (first === 'groups' && parts.length === 1)) return { page: 'groups' };
  if (first === 'groups' && second !== undefined && parts.length === 2) return { page: 'group', name: second };
  if (first === 'fleet' && parts.length === 1) return { page: 'fleet' };
  if (first === 'jobs' && parts.length === 1) return { page: 'jobs' };
  if (first === 'jobs' && second !== undefined && parts.length === 2) return { page: 'job', id: second };
  if (first === 'audit' && parts.length === 1) return { page: 'audit' };
  if (first === 'releases' && parts.length === 1) return { page: 'releases' };
  if (first === 'releases' && second !== undefined && parts.length === 2) return { page: 'release', id: second };
  if (first === 'plans' && parts.length === 1) return { page: 'plans' };
  if (first === 'plans' && second !== undefined && parts.length === 2) return { page: 'plan', id: second };
  if (first === 'pipelines' && parts.length === 1) return { page: 'pipelines' };
  if (first === 'pipelines' && second !== undefined && parts.length === 2) return { page: 'pipeline', service: second };
  if (first === 'freezes' && parts.length === 1) return { page: 'freezes' };
  if (first === 'tokens' && parts.length === 1) return { page: 'tokens' };
  return { page: 'not-found', path };
}

export function pathOf(route: Route): string {
  switch (route.page) {
    case 'groups':
      return '/groups';
    case 'group':
      return `/groups/${encodeURIComponent(route.name)}`;
    case 'job':
      return `/jobs/${encodeURIComponent(route.id)}`;
    case 'release':
      return `/releases/${encodeURIComponent(route.id)}`;
    case 'plan':
      return `/plans/${encodeURIComponent(route.id)}`;
    case 'pipeline':
      return `/pipelines/${encodeURIComponent(route.service)}`;
    case 'not-found':
      return route.path;
    default:
      return `/${route.page}`;
  }
}
