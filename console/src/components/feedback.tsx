/** Loading, empty and error states, and the page header: one look for every page. */
import type { ReactNode } from 'react';
import { Heading } from 'react-aria-components';
import { ApiCallError, problemMessage } from '../api/problem.ts';

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <Heading level={1}>{title}</Heading>
      {children ? <div className="page-actions">{children}</div> : null}
    </header>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status">
      {label}
    </p>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** A query's failure, with the API's own words. */
export function ErrorState({ error }: { error: unknown }) {
  const text = error instanceof ApiCallError ? problemMessage(error.problem) : 'The console could not reach the API. Try again.';
  return (
    <p className="form-alert" role="alert">
      {text}
    </p>
  );
}

/** What a query is: loading, failed, or its content. */
export function QueryState<T>({ query, children }: { query: { isPending: boolean; error: unknown; data: T | undefined }; children: (data: T) => ReactNode }) {
  if (query.isPending) return <Loading />;
  if (query.error || query.data === undefined) return <ErrorState error={query.error} />;
  return <>{children(query.data)}</>;
}
