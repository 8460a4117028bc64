/** Signed-in pages wait for the silent refresh, and send a signed-out visitor to the sign-in page. */
import { useEffect, useSyncExternalStore, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { session } from '../api/session.ts';
import { Loading } from '../components/feedback.tsx';
import { useMe } from './queries.ts';

export function useSessionState() {
  return useSyncExternalStore(session.subscribe, session.getState);
}

export function RequireSession({ children }: { children: ReactNode }) {
  const state = useSessionState();
  const location = useLocation();
  useEffect(() => {
    if (state === 'unknown') void session.restore();
  }, [state]);
  if (state === 'unknown') return <Loading label="Signing you in…" />;
  if (state === 'signed-out') {
    const next = `${location.pathname}${location.search}`;
    return <Navigate replace to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} />;
  }
  return <>{children}</>;
}

/** `/`: the first account the operator belongs to. */
export function Home() {
  const me = useMe();
  if (me.isPending) return <Loading />;
  const first = me.data?.memberships[0];
  if (!first) return <p className="empty">You are not a member of any account yet. Ask an owner for an invitation.</p>;
  return <Navigate replace to={`/accounts/${first.accountId}`} />;
}

/** Where a sign-in goes next: the `next` the guard carried, if it is a path of the console. */
export function afterSignIn(search: URLSearchParams): string {
  const next = search.get('next');
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/';
}
