/**
 * The account's organizations (SPEC §10), a page of 20 at a time with the API's cursors, and the form
 * that creates one (owners). A new organization appears at once in the Set Organization menu.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Cell, Column, Link, Row, Table, TableBody, TableHeader } from 'react-aria-components';
import { unwrap } from '../api/problem.ts';
import { api } from '../api/session.ts';
import { keys } from '../app/queries.ts';
import { paths, useAccountId } from '../app/selection.ts';
import { useAccountRole } from '../components/account.tsx';
import { PageHeader } from '../components/feedback.tsx';
import { ConsoleForm, SubmitButton, TextInput } from '../components/forms.tsx';
import { PagedTable, useCursorPaging } from '../components/paging.tsx';

export const PAGE_SIZE = 20;

export default function OrganizationsPage() {
  const accountId = useAccountId();
  const role = useAccountRole(accountId);
  const paging = useCursorPaging();
  const queryClient = useQueryClient();
  const list = useQuery({
    queryKey: [...keys.organizations(accountId), 'page', paging.cursor ?? ''],
    queryFn: () =>
      unwrap(
        api.GET('/v2/accounts/{accountId}/organizations', {
          params: { path: { accountId }, query: { limit: PAGE_SIZE, ...(paging.cursor ? { cursor: paging.cursor } : {}) } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const create = useMutation({
    mutationFn: (name: string) => unwrap(api.POST('/v2/accounts/{accountId}/organizations', { params: { path: { accountId } }, body: { name } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.organizations(accountId) }),
  });

  return (
    <>
      <PageHeader title="Organizations" />
      <p className="hint">An organization is one customer&apos;s isolated space: its systems, end users and audit events stay inside it.</p>
      {role === 'owner' ? (
        <ConsoleForm
          className="panel inline-form"
          aria-label="Create organization"
          fields={['name']}
          error={create.error}
          onSubmit={(values, form) => {
            create.mutate(values.name ?? '', { onSuccess: () => { form.reset(); } });
          }}
        >
          <TextInput onChange={() => { create.reset(); }} name="name" label="New organization name" isRequired />
          <SubmitButton isPending={create.isPending}>Create organization</SubmitButton>
          {create.isSuccess ? (
            <p className="ok" role="status">
              Created {create.data.name}.
            </p>
          ) : null}
        </ConsoleForm>
      ) : null}
      <PagedTable query={list} paging={paging} tableLabel="Organizations table" pagerLabel="Organizations" empty="No organizations yet.">
        {(page) => (
          <Table aria-label="Organizations">
            <TableHeader>
              <Column isRowHeader>Name</Column>
              <Column>SMS per day</Column>
              <Column>E-mails per day</Column>
              <Column>2FA required</Column>
            </TableHeader>
            <TableBody>
              {page.items.map((organization) => (
                <Row key={organization.id} id={organization.id}>
                  <Cell>
                    <Link href={paths.organization(accountId, organization.id)}>{organization.name}</Link>
                  </Cell>
                  <Cell>{organization.settings.smsDailyLimit}</Cell>
                  <Cell>{organization.settings.emailDailyLimit}</Cell>
                  <Cell>{organization.settings.requireMfa ? 'Yes' : 'No'}</Cell>
                </Row>
              ))}
            </TableBody>
          </Table>
        )}
      </PagedTable>
    </>
  );
}
