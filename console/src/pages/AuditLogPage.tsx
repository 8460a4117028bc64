/**
 * The account's audit log (SPEC §4, §10): `GET /v2/accounts/{accountId}/events`, newest first, filtered
 * by the query parameters the API takes (event type, organization, time range) and paged with its
 * cursor. The filters and the page size live in the URL's search parameters, so a reload or a shared
 * link shows the same view; the cursor stack does not (a cursor is the API's, and short-lived).
 */
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Button, Cell, Column, Form, Row, Table, TableBody, TableHeader, type Key } from 'react-aria-components';
import { useSearchParams } from 'react-router';
import { unwrap } from '../api/problem.ts';
import { api } from '../api/session.ts';
import { keys, useOrganizations } from '../app/queries.ts';
import { useAccountId } from '../app/selection.ts';
import { SelectInput, Time, type AuditEventResource } from '../components/directory.tsx';
import { EmptyState, ErrorState, Loading, PageHeader } from '../components/feedback.tsx';
import { formErrors, TextInput } from '../components/forms.tsx';
import { Pager, TableScroll, useCursorPaging } from '../components/paging.tsx';

const FILTERS = ['type', 'organization', 'from', 'to', 'limit'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;
const PAGE_SIZES = ['5', '10', '25', '50', '100'];
const DEFAULT_PAGE_SIZE = '25';

/** A `datetime-local` value (the operator's time zone) as the API's ISO instant; anything else as typed, for the API to judge. */
function instant(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

export default function AuditLogPage() {
  const accountId = useAccountId();
  const [search, setSearch] = useSearchParams();
  const filters: Filters = {};
  for (const name of FILTERS) {
    const value = search.get(name);
    if (value) filters[name] = value;
  }
  const apply = (next: Filters) => {
    const params = new URLSearchParams(search);
    for (const name of FILTERS) {
      const value = next[name]?.trim();
      if (value) params.set(name, value);
      else params.delete(name);
    }
    setSearch(params);
  };
  const signature = FILTERS.map((name) => filters[name] ?? '').join('|');
  return (
    <>
      <PageHeader title="Audit log" />
      <p className="hint">Security events of the account, newest first: sign-ins, second factors, keys, members and settings.</p>
      {/* Keyed by the filters: new filters start again at the first page, with the form showing them. */}
      <Events key={signature} accountId={accountId} filters={filters} onApply={apply} />
    </>
  );
}

function Events({ accountId, filters, onApply }: { accountId: string; filters: Filters; onApply: (filters: Filters) => void }) {
  const paging = useCursorPaging();
  const organizations = useOrganizations(accountId);
  const [organization, setOrganization] = useState<Key | null>(filters.organization ?? 'all');
  const [limit, setLimit] = useState<Key | null>(filters.limit ?? DEFAULT_PAGE_SIZE);
  const query = {
    limit: Number(filters.limit ?? DEFAULT_PAGE_SIZE),
    ...(filters.type ? { type: filters.type } : {}),
    ...(filters.organization ? { organization: filters.organization } : {}),
    ...(filters.from ? { from: instant(filters.from) } : {}),
    ...(filters.to ? { to: instant(filters.to) } : {}),
    ...(paging.cursor ? { cursor: paging.cursor } : {}),
  };
  const events = useQuery({
    queryKey: [...keys.events(accountId), query],
    queryFn: () => unwrap(api.GET('/v2/accounts/{accountId}/events', { params: { path: { accountId }, query } })),
  });
  const { byField, message } = useMemo(() => formErrors(events.error, ['type', 'organization', 'from', 'to', 'limit']), [events.error]);
  const orgNames = new Map((organizations.data ?? []).map((org) => [org.id, org.name]));
  const hasFilters = Boolean(filters.type ?? filters.organization ?? filters.from ?? filters.to);

  return (
    <>
      <section className="panel" aria-labelledby="filters-title">
        <h2 id="filters-title">Filters</h2>
        <Form
          className="filters"
          validationErrors={byField}
          validationBehavior="aria"
          onSubmit={(event) => {
            event.preventDefault();
            const data = new FormData(event.currentTarget);
            const text = (name: string) => {
              const value = data.get(name);
              return typeof value === 'string' ? value : '';
            };
            onApply({
              type: text('type'),
              organization: organization === 'all' || organization === null ? '' : String(organization),
              from: text('from'),
              to: text('to'),
              limit: limit === DEFAULT_PAGE_SIZE || limit === null ? '' : String(limit),
            });
          }}
        >
          <TextInput name="type" label="Event type" defaultValue={filters.type ?? ''} description="Exact, e.g. challenge.verified, key.created, login.failed." />
          <SelectInput
            label="Organization"
            name="organization"
            items={[{ id: 'all', label: 'All organizations' }, ...(organizations.data ?? []).map((org) => ({ id: org.id, label: org.name }))]}
            selectedKey={organization}
            onSelectionChange={setOrganization}
          />
          <TextInput name="from" label="From" type="datetime-local" defaultValue={filters.from ?? ''} description="Your local time." />
          <TextInput name="to" label="To" type="datetime-local" defaultValue={filters.to ?? ''} />
          <SelectInput label="Page size" name="limit" items={PAGE_SIZES.map((size) => ({ id: size, label: size }))} selectedKey={limit} onSelectionChange={setLimit} />
          <div className="row-actions">
            <Button type="submit" className="button primary">
              Apply filters
            </Button>
            {hasFilters ? (
              <Button className="button" onPress={() => { onApply({ ...(filters.limit ? { limit: filters.limit } : {}) }); }}>
                Clear filters
              </Button>
            ) : null}
          </div>
        </Form>
      </section>
      {events.isPending ? <Loading /> : null}
      {events.error && message ? <ErrorState error={events.error} /> : null}
      {events.data ? (
        events.data.items.length === 0 && paging.page === 1 ? (
          <EmptyState>{hasFilters ? 'No event matches these filters.' : 'No event yet.'}</EmptyState>
        ) : (
          <>
            <TableScroll label="Audit events table">
              <Table aria-label="Audit events">
                <TableHeader>
                  <Column isRowHeader>Time</Column>
                  <Column>Event</Column>
                  <Column>Actor</Column>
                  <Column>Target</Column>
                  <Column>Organization</Column>
                  <Column>Details</Column>
                  <Column>Source IP</Column>
                </TableHeader>
                <TableBody items={events.data.items}>
                  {(event) => (
                    <Row id={event.id}>
                      <Cell>
                        <Time value={event.at} />
                      </Cell>
                      <Cell>
                        <span className="mono">{event.type}</span>
                      </Cell>
                      <Cell>{actorOf(event)}</Cell>
                      <Cell>{event.target ? `${event.target.type} ${event.target.id}` : '—'}</Cell>
                      <Cell>{event.organizationId ? (orgNames.get(event.organizationId) ?? event.organizationId) : '—'}</Cell>
                      <Cell>{detailsOf(event)}</Cell>
                      <Cell>{event.sourceIp ?? '—'}</Cell>
                    </Row>
                  )}
                </TableBody>
              </Table>
            </TableScroll>
            <Pager paging={paging} nextCursor={events.data.nextCursor} label="Audit log" />
          </>
        )
      ) : null}
    </>
  );
}

const ACTOR_KINDS: Record<AuditEventResource['actor']['kind'], string> = { operator: 'Admin', key: 'Access key', anonymous: 'Anonymous', system: 'Portcullis' };

function actorOf(event: AuditEventResource): string {
  const kind = ACTOR_KINDS[event.actor.kind];
  return event.actor.id ? `${kind} ${event.actor.id}` : kind;
}

/** The event's details as `key: value` pairs (the outcome: reason, factor, method, …). */
function detailsOf(event: AuditEventResource): string {
  const entries = Object.entries(event.details);
  if (entries.length === 0) return '—';
  return entries.map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`).join(', ');
}
