/**
 * The account (SPEC §10): its name, the billing contact and `requireMfa`, per `GET|PATCH
 * /v2/accounts/{accountId}`. Only owners change them (and only owners see the billing contact: the API
 * leaves it out for the others); everyone else sees the form read-only. The API decides: its 403 or
 * its field errors are shown where they belong.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { unwrap } from '../api/problem.ts';
import { api } from '../api/session.ts';
import { keys } from '../app/queries.ts';
import { useAccountId } from '../app/selection.ts';
import { SettingSwitch, useAccountRole } from '../components/account.tsx';
import { PageHeader, QueryState } from '../components/feedback.tsx';
import { ConsoleForm, SubmitButton, TextInput } from '../components/forms.tsx';

type Account = Awaited<ReturnType<typeof loadAccount>>;

const loadAccount = (accountId: string) => unwrap(api.GET('/v2/accounts/{accountId}', { params: { path: { accountId } } }));

export default function AccountPage() {
  const accountId = useAccountId();
  const account = useQuery({ queryKey: keys.account(accountId), queryFn: () => loadAccount(accountId) });
  return (
    <>
      <PageHeader title="Account" />
      <QueryState query={account}>{(data) => <AccountForm key={data.id} account={data} />}</QueryState>
    </>
  );
}

function AccountForm({ account }: { account: Account }) {
  const role = useAccountRole(account.id);
  const queryClient = useQueryClient();
  const canWrite = role === 'owner';
  const [requireMfa, setRequireMfa] = useState(account.settings.requireMfa);
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (values: Record<string, string>) => {
      const contactEmail = values.billingContact?.trim() ?? '';
      const contactName = values.billingName?.trim() ?? '';
      return unwrap(
        api.PATCH('/v2/accounts/{accountId}', {
          params: { path: { accountId: account.id } },
          body: {
            name: values.name ?? '',
            // An empty e-mail clears the contact (the API's `null`).
            billingContact: contactEmail ? { email: contactEmail, ...(contactName ? { name: contactName } : {}) } : null,
            settings: { requireMfa },
          },
        }),
      );
    },
    onSuccess: (updated) => {
      setSaved(true);
      queryClient.setQueryData(keys.account(account.id), updated);
      void queryClient.invalidateQueries({ queryKey: keys.me });
    },
  });
  // The API shows the contact to owners only; without it the fields would clear it on save.
  const showsBilling = canWrite || account.billingContact !== undefined;

  return (
    <ConsoleForm
      className="panel"
      fields={['name', 'billingContact', 'settings']}
      error={save.error}
      onSubmit={(values) => {
        setSaved(false);
        save.mutate(values);
      }}
    >
      {!canWrite && role !== undefined ? <p className="hint">Only an owner can change the account. You see it read-only.</p> : null}
      <fieldset className="fieldset" disabled={!canWrite}>
        <legend>Profile</legend>
        <TextInput onChange={() => { save.reset(); }} name="name" label="Account name" defaultValue={account.name} isRequired isDisabled={!canWrite} />
      </fieldset>
      {showsBilling ? (
        <fieldset className="fieldset" disabled={!canWrite}>
          <legend>Billing contact</legend>
          <TextInput onChange={() => { save.reset(); }} name="billingName" label="Contact name" defaultValue={account.billingContact?.name ?? ''} isDisabled={!canWrite} />
          <TextInput
            onChange={() => { save.reset(); }}
            name="billingContact"
            label="Contact e-mail"
            type="email"
            defaultValue={account.billingContact?.email ?? ''}
            description="Leave empty to remove the contact."
            isDisabled={!canWrite}
            // Named after the API's `billingContact`, so the contact's field errors land here.
          />
        </fieldset>
      ) : null}
      <fieldset className="fieldset" disabled={!canWrite}>
        <legend>Security</legend>
        <SettingSwitch
          label="Require two-factor authentication"
          isSelected={requireMfa}
          onChange={setRequireMfa}
          isDisabled={!canWrite}
          description="Every admin of this account must set up an authenticator app before doing anything else: at their next sign-in they are asked to enrol, and a session signed in with a password alone can no longer be refreshed."
        />
      </fieldset>
      {canWrite ? <SubmitButton isPending={save.isPending}>Save</SubmitButton> : null}
      {saved ? (
        <p className="ok" role="status">
          Saved.
        </p>
      ) : null}
    </ConsoleForm>
  );
}
