/**
 * Groups (SPEC §3): named sets of organizations, used to scope admins. Everyone reads them; owners
 * create, rename, change their organizations and delete them (`/v2/accounts/{accountId}/groups`).
 * Deleting a group narrows at once the scope of the admins scoped to it, so it asks first.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Cell, CheckboxGroup, Column, Dialog, DialogTrigger, Heading, Label, Modal, Row, Table, TableBody, TableHeader } from 'react-aria-components';
import { unwrap } from '../api/problem.ts';
import { api } from '../api/session.ts';
import { keys, useOrganizations } from '../app/queries.ts';
import { useAccountId } from '../app/selection.ts';
import { Choice, useAccountRole } from '../components/account.tsx';
import { ConfirmAction } from '../components/dialogs.tsx';
import { PageHeader } from '../components/feedback.tsx';
import { ConsoleForm, SubmitButton, TextInput } from '../components/forms.tsx';
import { PagedTable, useCursorPaging } from '../components/paging.tsx';

const PAGE_SIZE = 20;

type Group = Awaited<ReturnType<typeof listGroups>>['items'][number];
const listGroups = (accountId: string, cursor: string | undefined) =>
  unwrap(api.GET('/v2/accounts/{accountId}/groups', { params: { path: { accountId }, query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } }));

export default function GroupsPage() {
  const accountId = useAccountId();
  const role = useAccountRole(accountId);
  const paging = useCursorPaging();
  const queryClient = useQueryClient();
  const organizations = useOrganizations(accountId);
  const list = useQuery({ queryKey: [...keys.groups(accountId), 'page', paging.cursor ?? ''], queryFn: () => listGroups(accountId, paging.cursor), placeholderData: keepPreviousData });
  const [chosen, setChosen] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: (name: string) => unwrap(api.POST('/v2/accounts/{accountId}/groups', { params: { path: { accountId } }, body: { name, organizations: chosen } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.groups(accountId) }),
  });
  const isOwner = role === 'owner';
  const nameOf = (id: string) => organizations.data?.find((organization) => organization.id === id)?.name ?? id;

  return (
    <>
      <PageHeader title="Groups" />
      <p className="hint">A group is a named set of organizations: scope an admin to a group and they reach its organizations, as the group changes.</p>
      {isOwner ? (
        <ConsoleForm
          className="panel"
          aria-label="Create group"
          fields={['name', 'organizations']}
          error={create.error}
          onSubmit={(values, form) => {
            create.mutate(values.name ?? '', {
              onSuccess: () => {
                form.reset();
                setChosen([]);
              },
            });
          }}
        >
          <TextInput onChange={() => { create.reset(); }} name="name" label="New group name" isRequired />
          <OrganizationChoice organizations={organizations.data ?? []} value={chosen} onChange={setChosen} />
          <SubmitButton isPending={create.isPending}>Create group</SubmitButton>
        </ConsoleForm>
      ) : null}
      <PagedTable query={list} paging={paging} tableLabel="Groups table" pagerLabel="Groups" empty="No groups yet.">
        {(page) => (
          <Table aria-label="Groups">
            <TableHeader>
              <Column isRowHeader>Name</Column>
              <Column>Organizations</Column>
              <Column>Actions</Column>
            </TableHeader>
            <TableBody>
              {page.items.map((group) => (
                <Row key={group.id} id={group.id}>
                  <Cell>{group.name}</Cell>
                  <Cell>{group.organizations.length === 0 ? 'None' : group.organizations.map(nameOf).join(', ')}</Cell>
                  <Cell>
                    {isOwner ? (
                      <div className="row-actions">
                        <EditGroup accountId={accountId} group={group} organizations={organizations.data ?? []} />
                        <ConfirmAction
                          label="Delete"
                          ariaLabel={`Delete group ${group.name}`}
                          title={`Delete group ${group.name}?`}
                          confirmLabel="Delete group"
                          onConfirm={async () => {
                            await unwrap(api.DELETE('/v2/accounts/{accountId}/groups/{groupId}', { params: { path: { accountId, groupId: group.id } } }));
                            await queryClient.invalidateQueries({ queryKey: keys.groups(accountId) });
                          }}
                        >
                          <p>Admins scoped to this group lose its organizations at once (their other organizations and groups stay).</p>
                        </ConfirmAction>
                      </div>
                    ) : (
                      '—'
                    )}
                  </Cell>
                </Row>
              ))}
            </TableBody>
          </Table>
        )}
      </PagedTable>
    </>
  );
}

function OrganizationChoice({ organizations, value, onChange }: { organizations: { id: string; name: string }[]; value: string[]; onChange: (ids: string[]) => void }) {
  return (
    <CheckboxGroup className="checkbox-group" value={value} onChange={onChange}>
      <Label>Organizations in the group</Label>
      {organizations.length === 0 ? <p className="hint">No organizations yet.</p> : null}
      {organizations.map((organization) => (
        <Choice key={organization.id} value={organization.id}>
{organization.name}
        </Choice>
      ))}
    </CheckboxGroup>
  );
}

/** Rename a group or change its organizations, in a dialog (PATCH replaces the whole list). */
function EditGroup({ accountId, group, organizations }: { accountId: string; group: Group; organizations: { id: string; name: string }[] }) {
  const queryClient = useQueryClient();
  const [chosen, setChosen] = useState<string[]>(group.organizations);
  const update = useMutation({
    mutationFn: (name: string) =>
      unwrap(api.PATCH('/v2/accounts/{accountId}/groups/{groupId}', { params: { path: { accountId, groupId: group.id } }, body: { name, organizations: chosen } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.groups(accountId) }),
  });
  return (
    <DialogTrigger
      onOpenChange={(open) => {
        if (open) {
          update.reset();
          setChosen(group.organizations);
        }
      }}
    >
      <Button className="button" aria-label={`Edit group ${group.name}`}>
        Edit
      </Button>
      <Modal isDismissable className="modal">
        <Dialog className="dialog">
          {({ close }) => (
            <>
              <Heading slot="title">Edit group {group.name}</Heading>
              <ConsoleForm
                fields={['name', 'organizations']}
                error={update.error}
                onSubmit={(values) => {
                  update.mutate(values.name ?? '', { onSuccess: close });
                }}
              >
                <TextInput onChange={() => { update.reset(); }} name="name" label="Group name" defaultValue={group.name} isRequired autoFocus />
                <OrganizationChoice organizations={organizations} value={chosen} onChange={setChosen} />
                <div className="dialog-actions">
                  <Button className="button" onPress={close}>
                    Cancel
                  </Button>
                  <SubmitButton isPending={update.isPending}>Save group</SubmitButton>
                </div>
              </ConsoleForm>
            </>
          )}
        </Dialog>
      </Modal>
    </DialogTrigger>
  );
}
