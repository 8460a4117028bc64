/**
 * The cursor stack behind `useCursorPaging` (paging.tsx), pure so it is tested without a DOM: the API
 * pages forwards only (`cursor` → `nextCursor`), so the cursors seen so far are kept, the first page's
 * being `undefined`, and "Previous" pops one.
 */
export type CursorStack = readonly (string | undefined)[];

/** The first page. */
export const firstPage: CursorStack = [undefined];

/** The cursor of the page shown (undefined: the first). */
export const currentCursor = (stack: CursorStack): string | undefined => stack[stack.length - 1];

/** The page number, from 1. */
export const pageNumber = (stack: CursorStack): number => stack.length;

/** The page after the one shown. */
export const nextPage = (stack: CursorStack, nextCursor: string): CursorStack => [...stack, nextCursor];

/** The page before the one shown; the first page stays the first. */
export const previousPage = (stack: CursorStack): CursorStack => (stack.length > 1 ? stack.slice(0, -1) : stack);
