/**
 * Access keys (SPEC §3, §10): the `apikey` credentials an application uses, owner-only. A new key's
 * secret is in the create answer only: it is shown once (component state, nowhere else: not in the
 * URL, not in storage, not in the query cache) and gone when the owner leaves the page or dismisses
 * it. Revoking asks first and takes effect within 60 s on the API's side.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Cell, CheckboxGroup, Column, FieldError, Label, Row, Table, TableBody, TableHeader, Text } from 'react-aria-components';
import { unwrap } from '../api/problem.ts';
import { api } from '../api/session.ts';
import { keys, useOrganizations } from '../app/queries.ts';
import { useAccountId } from '../app/selection.ts';
import { Choice, useAccountRole } from '../components/account.tsx';
import { ConfirmAction, SecretOnce } from '../components/dialogs.tsx';
import { PageHeader } from '../components/feedback.tsx';
import { ConsoleForm, SubmitButton, TextInput } from '../components/forms.tsx';
import { PagedTable, useCursorPaging } from '../components/paging.tsx';

const PAGE_SIZE = 20;

type Permission = 'authenticate' | 'manage';

export default function AccessKeysPage() {
  const accountId = useAccountId();
  const role = useAccountRole(accountId);
  const paging = useCursorPaging();
  const queryClient = useQueryClient();
  const organizations = useOrganizations(accountId);
  const list = useQuery({
    queryKey: [...keys.accessKeys(accountId), 'page', paging.cursor ?? ''],
    queryFn: () =>
      unwrap(api.GET('/v2/accounts/{accountId}/keys', { params: { path: { accountId }, query: { limit: PAGE_SIZE, ...(paging.cursor ? { cursor: paging.cursor } : {}) } } })),
    placeholderData: keepPreviousData,
    enabled: role === 'owner',
  });
  const [permissions, setPermissions] = useState<string[]>(['authenticate']);
  const [reach, setReach] = useState<string[]>([]);
  const [created, setCreated] = useState<{ name: string; key: string } | undefined>();
  const create = useMutation({
    mutationFn: (name: string) =>
      unwrap(
        api.POST('/v2/accounts/{accountId}/keys', {
          params: { path: { accountId } },
          body: { name, permissions: permissions as Permission[], organizations: reach.length === 0 ? 'all' : reach },
        }),
      ),
    onSuccess: (answer) => {
      // The secret goes to this component's state only; the list is re-read without it.
      setCreated({ name: answer.name, key: answer.key });
      void queryClient.invalidateQueries({ queryKey: keys.accessKeys(accountId) });
    },
  });
  const nameOf = (id: string) => organizations.data?.find((organization) => organization.id === id)?.name ?? id;

  if (role !== undefined && role !== 'owner') {
    return (
      <>
        <PageHeader title="Access keys" />
        <p className="hint">Access keys are managed by the account&apos;s owners.</p>
      </>
    );
  }

  return (
    <>
      <PageHeader title="Access keys" />
      <p className="hint">
        An application sends its key in the <code>apikey</code> header. <strong>authenticate</strong> lets it sign end users in;{' '}
        <strong>manage</strong> lets it change systems, end users and access in the organizations it reaches.
      </p>
      {created ? (
        <section className="panel" aria-labelledby="new-key">
          <h2 id="new-key">Key {created.name} created</h2>
          <SecretOnce label="Access key" value={created.key}>
            This is the only time the key is shown: copy it into your application&apos;s secret store now. Portcullis keeps only a hash of it.
          </SecretOnce>
          <Button className="button" onPress={() => { setCreated(undefined); }}>
            Done
          </Button>
        </section>
      ) : null}
      <ConsoleForm
        className="panel"
        aria-label="Create access key"
        fields={['name', 'permissions', 'organizations']}
        error={create.error}
        onSubmit={(values, form) => {
          create.mutate(values.name ?? '', {
            onSuccess: () => {
              form.reset();
              setReach([]);
            },
          });
        }}
      >
        <TextInput onChange={() => { create.reset(); }} name="name" label="Key name" description="What uses it, e.g. “checkout backend”." isRequired />
        <CheckboxGroup className="checkbox-group" name="permissions" value={permissions} onChange={setPermissions} isRequired>
          <Label>Permissions</Label>
          <Choice value="authenticate">
authenticate: sign end users in
          </Choice>
          <Choice value="manage">
manage: systems, end users, access
          </Choice>
          <FieldError className="field-error" />
        </CheckboxGroup>
        <CheckboxGroup className="checkbox-group" name="organizations" value={reach} onChange={setReach}>
          <Label>Organizations it reaches</Label>
          <Text slot="description">None chosen: every organization of the account, now and later.</Text>
          {(organizations.data ?? []).map((organization) => (
            <Choice key={organization.id} value={organization.id}>
{organization.name}
            </Choice>
          ))}
          <FieldError className="field-error" />
        </CheckboxGroup>
        <SubmitButton isPending={create.isPending}>Create access key</SubmitButton>
      </ConsoleForm>
      <PagedTable query={list} paging={paging} tableLabel="Access keys table" pagerLabel="Access keys" empty="No access keys yet.">
        {(page) => (
          <Table aria-label="Access keys">
            <TableHeader>
              <Column isRowHeader>Name</Column>
              <Column>Permissions</Column>
              <Column>Organizations</Column>
              <Column>Created</Column>
              <Column>Last used</Column>
              <Column>Status</Column>
            </TableHeader>
            <TableBody>
              {page.items.map((key) => (
                <Row key={key.id} id={key.id}>
                  <Cell>{key.name}</Cell>
                  <Cell>{key.permissions.join(', ')}</Cell>
                  <Cell>{key.organizations === 'all' ? 'All' : key.organizations.map(nameOf).join(', ')}</Cell>
                  <Cell>{new Date(key.createdAt).toLocaleString()}</Cell>
                  <Cell>{key.lastUsedAt ? new Date(key.lastUsedAt).toLocaleString() : 'Never'}</Cell>
                  <Cell>
                    {key.revokedAt ? (
                      `Revoked ${new Date(key.revokedAt).toLocaleString()}`
                    ) : (
                      <ConfirmAction
                        label="Revoke"
                        ariaLabel={`Revoke key ${key.name}`}
                        title={`Revoke key ${key.name}?`}
                        confirmLabel="Revoke key"
                        onConfirm={async () => {
                          await unwrap(api.DELETE('/v2/accounts/{accountId}/keys/{keyId}', { params: { path: { accountId, keyId: key.id } } }));
                          await queryClient.invalidateQueries({ queryKey: keys.accessKeys(accountId) });
                        }}
                      >
                        <p>Applications using this key are refused within a minute. A revoked key cannot be restored.</p>
                      </ConfirmAction>
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
