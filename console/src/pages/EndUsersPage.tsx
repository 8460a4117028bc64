/**
 * End users of the selected organization (SPEC §10): the list, paged with the API's cursor, and
 * creating one (e-mail, mobile phone in international form, optional name). The API checks the phone
 * (mobile, an allowed country) and answers next to the field.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Cell, Column, Link, Row, Table, TableBody, TableHeader } from 'react-aria-components';
import { useNavigate } from 'react-router';
import { unwrap } from '../api/problem.ts';
import { api } from '../api/session.ts';
import { keys } from '../app/queries.ts';
import { paths, useAccountId, useOrgId } from '../app/selection.ts';
import { Time } from '../components/directory.tsx';
import { PageHeader } from '../components/feedback.tsx';
import { ConsoleForm, SubmitButton, TextInput } from '../components/forms.tsx';
import { PagedTable, useCursorPaging } from '../components/paging.tsx';

const PAGE_SIZE = 25;

export default function EndUsersPage() {
  const accountId = useAccountId();
  const orgId = useOrgId();
  const paging = useCursorPaging();
  const users = useQuery({
    queryKey: [...keys.endUsers(orgId), 'page', paging.cursor ?? ''],
    queryFn: () => unwrap(api.GET('/v2/organizations/{orgId}/users', { params: { path: { orgId }, query: { limit: PAGE_SIZE, ...(paging.cursor ? { cursor: paging.cursor } : {}) } } })),
  });
  return (
    <>
      <PageHeader title="End users" />
      <p className="hint">The people who sign in to this organization&apos;s systems.</p>
      <PagedTable query={users} paging={paging} tableLabel="End users table" pagerLabel="End users" empty="No end user yet: create the first one below.">
        {(page) => (
          <Table aria-label="End users">
            <TableHeader>
              <Column isRowHeader>Email</Column>
              <Column>Name</Column>
              <Column>Phone</Column>
              <Column>Status</Column>
              <Column>Created</Column>
            </TableHeader>
            <TableBody items={page.items}>
              {(user) => (
                <Row id={user.id}>
                  <Cell>
                    <Link href={paths.endUser(accountId, orgId, user.id)}>{user.email}</Link>
                  </Cell>
                  <Cell>{user.name ?? '—'}</Cell>
                  <Cell>{user.phone}</Cell>
                  <Cell>{user.status === 'active' ? 'Active' : 'Disabled'}</Cell>
                  <Cell>
                    <Time value={user.createdAt} />
                  </Cell>
                </Row>
              )}
            </TableBody>
          </Table>
        )}
      </PagedTable>
      <CreateEndUser accountId={accountId} orgId={orgId} />
    </>
  );
}

function CreateEndUser({ accountId, orgId }: { accountId: string; orgId: string }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const create = useMutation({
    mutationFn: (body: { email: string; phone: string; name?: string }) => unwrap(api.POST('/v2/organizations/{orgId}/users', { params: { path: { orgId } }, body })),
    onSuccess: async (user) => {
      await queryClient.invalidateQueries({ queryKey: keys.endUsers(orgId) });
      void navigate(paths.endUser(accountId, orgId, user.id));
    },
  });
  return (
    <section className="panel" aria-labelledby="create-user-title">
      <h2 id="create-user-title">Create end user</h2>
      <ConsoleForm
        fields={['email', 'phone', 'name']}
        error={create.error}
        onSubmit={(values) => {
          const name = (values.name ?? '').trim();
          create.mutate({ email: values.email ?? '', phone: values.phone ?? '', ...(name ? { name } : {}) });
        }}
      >
        <TextInput name="email" label="Email" type="email" isRequired description="Unique in the organization." />
        <TextInput name="phone" label="Mobile phone" type="tel" isRequired description="International form with the country code, e.g. +33 6 12 34 56 78." />
        <TextInput name="name" label="Name (optional)" />
        <SubmitButton isPending={create.isPending}>Create end user</SubmitButton>
      </ConsoleForm>
    </section>
  );
}
