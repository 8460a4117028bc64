/**
 * Systems of the selected organization (SPEC §10): the list, paged with the API's cursor, and
 * "Create system" with its name and its first policy (the factor chain; the rest defaults and is
 * edited on the system's page).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Cell, Column, Form, Link, Row, Table, TableBody, TableHeader } from 'react-aria-components';
import { useNavigate } from 'react-router';
import { unwrap } from '../api/problem.ts';
import { api } from '../api/session.ts';
import { keys } from '../app/queries.ts';
import { paths, useAccountId, useOrgId } from '../app/selection.ts';
import { FactorChain, FACTOR_LABELS, Time, type Factor } from '../components/directory.tsx';
import { PageHeader } from '../components/feedback.tsx';
import { FormAlert, formErrors, SubmitButton, TextInput } from '../components/forms.tsx';
import { PagedTable, useCursorPaging } from '../components/paging.tsx';

const PAGE_SIZE = 25;

export default function SystemsPage() {
  const accountId = useAccountId();
  const orgId = useOrgId();
  const paging = useCursorPaging();
  const systems = useQuery({
    queryKey: [...keys.systems(orgId), paging.cursor ?? ''],
    queryFn: () =>
      unwrap(api.GET('/v2/organizations/{orgId}/systems', { params: { path: { orgId }, query: { limit: PAGE_SIZE, ...(paging.cursor ? { cursor: paging.cursor } : {}) } } })),
  });
  return (
    <>
      <PageHeader title="Systems" />
      <p className="hint">A system is an application whose end users sign in through Portcullis; its policy says which factors they show.</p>
      <PagedTable query={systems} paging={paging} tableLabel="Systems table" pagerLabel="Systems" empty="No system yet: create the first one below.">
        {(page) => (
          <Table aria-label="Systems">
            <TableHeader>
              <Column isRowHeader>Name</Column>
              <Column>Factors</Column>
              <Column>Rules</Column>
              <Column>Token signing</Column>
              <Column>Created</Column>
            </TableHeader>
            <TableBody items={page.items}>
              {(system) => (
                <Row id={system.name}>
                  <Cell>
                    <Link href={paths.system(accountId, orgId, system.name)}>{system.name}</Link>
                  </Cell>
                  <Cell>{system.policy.factors.map((factor) => FACTOR_LABELS[factor]).join(' → ')}</Cell>
                  <Cell>{system.policy.rules.length}</Cell>
                  <Cell>{system.tokenSigningAlg}</Cell>
                  <Cell>
                    <Time value={system.createdAt} />
                  </Cell>
                </Row>
              )}
            </TableBody>
          </Table>
        )}
      </PagedTable>
      <CreateSystem accountId={accountId} orgId={orgId} />
    </>
  );
}

function CreateSystem({ accountId, orgId }: { accountId: string; orgId: string }) {
  const [factors, setFactors] = useState<Factor[]>(['pin']);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const create = useMutation({
    mutationFn: (body: { name: string; policy: { factors: Factor[] }; passwordlessUrl?: string }) =>
      unwrap(api.POST('/v2/organizations/{orgId}/systems', { params: { path: { orgId } }, body })),
    onSuccess: async (system) => {
      await queryClient.invalidateQueries({ queryKey: keys.systems(orgId) });
      void navigate(paths.system(accountId, orgId, system.name));
    },
  });
  // One object per error: React Aria re-arms a field's server error whenever `validationErrors` is a new object.
  const { byField, message } = useMemo(() => formErrors(create.error, ['name', 'policy.factors', 'passwordlessUrl', 'policy']), [create.error]);
  return (
    <section className="panel" aria-labelledby="create-system-title">
      <h2 id="create-system-title">Create system</h2>
      <Form
        validationErrors={byField}
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const text = (name: string) => {
            const value = data.get(name);
            return typeof value === 'string' ? value : '';
          };
          const url = text('passwordlessUrl').trim();
          create.mutate({ name: text('name'), policy: { factors }, ...(url ? { passwordlessUrl: url } : {}) });
        }}
      >
        <TextInput name="name" label="Name" description="Unique in the organization; it is the audience of the system's tokens and cannot change." isRequired />
        <FactorChain
          legend="Factor chain"
          description="The factors an end user shows, in order. Rules, PIN and link settings are on the system's page."
          factors={factors}
          onChange={setFactors}
          error={byField['policy.factors'] ?? byField.policy}
        />
        <TextInput
          name="passwordlessUrl"
          label="Magic-link URL (optional)"
          type="url"
          description="Where a magic link points (https); required when the chain has a magic link."
        />
        {message ? <FormAlert>{message}</FormAlert> : null}
        <SubmitButton isPending={create.isPending}>Create system</SubmitButton>
      </Form>
    </section>
  );
}
