/**
 * Lists paged with the API's cursors (`limit`, `cursor` → `nextCursor`): the cursors seen so far are a
 * stack, so "Previous" goes back without the API offering it. Tables sit in a focusable scroll region,
 * so a wide table scrolls by itself at 375 px and the page never does.
 */
import { useState, type ReactNode } from 'react';
import { Button } from 'react-aria-components';
import { EmptyState, QueryState } from './feedback.tsx';
import { currentCursor, firstPage, nextPage, pageNumber, previousPage, type CursorStack } from './cursor-stack.ts';

export interface CursorPaging {
  /** The cursor of the page to show (undefined: the first). */
  cursor: string | undefined;
  /** Page number, from 1. */
  page: number;
  next(nextCursor: string): void;
  previous(): void;
  reset(): void;
}

export function useCursorPaging(): CursorPaging {
  const [stack, setStack] = useState<CursorStack>(firstPage);
  return {
    cursor: currentCursor(stack),
    page: pageNumber(stack),
    next: (nextCursor) => { setStack((current) => nextPage(current, nextCursor)); },
    previous: () => { setStack(previousPage); },
    reset: () => { setStack(firstPage); },
  };
}

export function Pager({ paging, nextCursor, label }: { paging: CursorPaging; nextCursor: string | null | undefined; label: string }) {
  if (paging.page === 1 && !nextCursor) return null;
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <Button className="button" isDisabled={paging.page === 1} onPress={() => {
          paging.previous();
        }}>
        Previous
      </Button>
      <span>Page {paging.page}</span>
      <Button className="button" isDisabled={!nextCursor} onPress={() => {
          if (nextCursor) paging.next(nextCursor);
        }}>
        Next
      </Button>
    </nav>
  );
}

/** A table's container: scrolls sideways on its own (keyboard-focusable, named) when narrow. */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

/** One page of a cursor-paged list, as the API answers it. */
export interface ListPage<T> {
  items: T[];
  nextCursor?: string | null;
}

/**
 * A paged list as every list page shows it: loading and error states, the empty state on the first
 * page, the table in its scroll region, and the pager under it.
 */
export function PagedTable<T>({
  query,
  paging,
  tableLabel,
  pagerLabel,
  empty,
  children,
}: {
  query: { isPending: boolean; error: unknown; data: ListPage<T> | undefined };
  paging: CursorPaging;
  tableLabel: string;
  pagerLabel: string;
  empty: ReactNode;
  children: (page: ListPage<T>) => ReactNode;
}) {
  return (
    <QueryState query={query}>
      {(page) =>
        page.items.length === 0 && paging.page === 1 ? (
          <EmptyState>{empty}</EmptyState>
        ) : (
          <>
            <TableScroll label={tableLabel}>{children(page)}</TableScroll>
            <Pager paging={paging} nextCursor={page.nextCursor} label={pagerLabel} />
          </>
        )
      }
    </QueryState>
  );
}
