/**
 * One organization's settings (SPEC §10), per `GET|PATCH|DELETE /v2/organizations/{orgId}`: its name,
 * the SMS and sign-in e-mail daily limits, the countries SMS may go to, and `requireMfa`. Owners and
 * managers in scope change them; only owners delete (after a confirmation). The deployment's own
 * limits are the API's to enforce: a value beyond them comes back as a field error shown beside it.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Label, Tag, TagGroup, TagList, Text } from 'react-aria-components';
import { useNavigate } from 'react-router';
import { unwrap } from '../api/problem.ts';
import { api } from '../api/session.ts';
import { keys } from '../app/queries.ts';
import { paths, useAccountId, useOrgId } from '../app/selection.ts';
import { SettingSwitch, useAccountRole } from '../components/account.tsx';
import { ConfirmAction } from '../components/dialogs.tsx';
import { PageHeader, QueryState } from '../components/feedback.tsx';
import { ConsoleForm, formErrors, SubmitButton, TextInput } from '../components/forms.tsx';

const FIELDS = ['name', 'settings.smsDailyLimit', 'settings.emailDailyLimit', 'settings.smsAllowedCountries', 'settings.requireMfa'] as const;

type Organization = Awaited<ReturnType<typeof loadOrganization>>;
const loadOrganization = (orgId: string) => unwrap(api.GET('/v2/organizations/{orgId}', { params: { path: { orgId } } }));

export default function OrganizationPage() {
  const accountId = useAccountId();
  const orgId = useOrgId();
  const organization = useQuery({ queryKey: keys.organization(orgId), queryFn: () => loadOrganization(orgId) });
  return (
    <>
      <PageHeader title={organization.data ? `Organization ${organization.data.name}` : 'Organization'} />
      <QueryState query={organization}>{(data) => <OrganizationSettings key={data.id} accountId={accountId} organization={data} />}</QueryState>
    </>
  );
}

function OrganizationSettings({ accountId, organization }: { accountId: string; organization: Organization }) {
  const role = useAccountRole(accountId);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const canWrite = role === 'owner' || role === 'manager';
  const [requireMfa, setRequireMfa] = useState(organization.settings.requireMfa);
  const [countries, setCountries] = useState<string[]>(organization.settings.smsAllowedCountries);
  const [country, setCountry] = useState('');
  const [saved, setSaved] = useState(false);

  const save = useMutation({
    mutationFn: (values: Record<string, string>) =>
      unwrap(
        api.PATCH('/v2/organizations/{orgId}', {
          params: { path: { orgId: organization.id } },
          body: {
            name: values.name ?? '',
            settings: {
              requireMfa,
              smsDailyLimit: Number(values['settings.smsDailyLimit']),
              emailDailyLimit: Number(values['settings.emailDailyLimit']),
              smsAllowedCountries: countries,
            },
          },
        }),
      ),
    onSuccess: (updated) => {
      setSaved(true);
      queryClient.setQueryData(keys.organization(organization.id), updated);
      void queryClient.invalidateQueries({ queryKey: keys.organizations(accountId) });
    },
  });
  const remove = async () => {
    await unwrap(api.DELETE('/v2/organizations/{orgId}', { params: { path: { orgId: organization.id } } }));
    queryClient.removeQueries({ queryKey: keys.organization(organization.id) });
    await queryClient.invalidateQueries({ queryKey: keys.organizations(accountId) });
    void navigate(paths.accountPage(accountId, 'organizations'));
  };
  const countryError = formErrors(save.error, FIELDS).byField['settings.smsAllowedCountries'];

  return (
    <>
      <ConsoleForm
        className="panel"
        aria-label="Organization settings"
        fields={FIELDS}
        error={save.error}
        onSubmit={(values) => {
          setSaved(false);
          save.mutate(values);
        }}
      >
        {!canWrite && role !== undefined ? <p className="hint">You can read these settings; an owner or a manager changes them.</p> : null}
        <TextInput onChange={() => { save.reset(); }} name="name" label="Name" defaultValue={organization.name} isRequired isDisabled={!canWrite} />
        <TextInput
          onChange={() => { save.reset(); }}
          name="settings.smsDailyLimit"
          label="SMS daily limit"
          type="number"
          inputMode="numeric"
          defaultValue={String(organization.settings.smsDailyLimit)}
          description="Sign-in SMS this organization may send per UTC day (at most the deployment's cap per account)."
          isRequired
          isDisabled={!canWrite}
        />
        <TextInput
          onChange={() => { save.reset(); }}
          name="settings.emailDailyLimit"
          label="E-mail daily limit"
          type="number"
          inputMode="numeric"
          defaultValue={String(organization.settings.emailDailyLimit)}
          description="Sign-in e-mails (PIN or link by e-mail) per UTC day."
          isRequired
          isDisabled={!canWrite}
        />
        <div className="field">
          <TagGroup
            aria-describedby="countries-help"
            onRemove={canWrite ? (removed) => { setCountries((current) => current.filter((code) => !removed.has(code))); } : undefined}
          >
            <Label>Allowed SMS countries</Label>
            <TagList className="tag-list" renderEmptyState={() => <span className="hint">All of the deployment&apos;s countries</span>}>
              {countries.map((code) => (
                <Tag key={code} id={code} textValue={code} className="tag">
                  {code}
                  {canWrite ? (
                    <Button slot="remove" className="tag-remove" aria-label={`Remove ${code}`}>
                      ×
                    </Button>
                  ) : null}
                </Tag>
              ))}
            </TagList>
          </TagGroup>
          <Text id="countries-help" className="hint" elementType="p">
            ISO 3166-1 country codes (FR, GB, US…) SMS may be sent to, among the deployment&apos;s. An empty list means the deployment&apos;s list.
          </Text>
          {countryError ? (
            <p className="field-error" role="alert">
              {countryError}
            </p>
          ) : null}
        </div>
        {canWrite ? (
          <div className="inline-row">
            <TextInput label="Country code to add" value={country} onChange={setCountry} maxLength={2} autoComplete="off" />
            <Button
              className="button"
              isDisabled={country.trim() === ''}
              onPress={() => {
                const code = country.trim().toUpperCase();
                setCountries((current) => (current.includes(code) ? current : [...current, code]));
                setCountry('');
              }}
            >
              Add country
            </Button>
          </div>
        ) : null}
        <SettingSwitch
          label="Require two-factor authentication"
          isSelected={requireMfa}
          onChange={setRequireMfa}
          isDisabled={!canWrite}
          description="Every admin whose scope reaches this organization must set up an authenticator app before doing anything else (at their next sign-in)."
        />
        {canWrite ? <SubmitButton isPending={save.isPending}>Save settings</SubmitButton> : null}
        {saved ? (
          <p className="ok" role="status">
            Saved.
          </p>
        ) : null}
      </ConsoleForm>
      {role === 'owner' ? (
        <section className="panel danger-zone" aria-labelledby="delete-org">
          <h2 id="delete-org">Delete this organization</h2>
          <p>Its systems, end users and access stop working at once. A deleted organization cannot be restored.</p>
          <ConfirmAction label="Delete organization" title={`Delete ${organization.name}?`} confirmLabel="Delete" onConfirm={remove}>
            <p>
              Everything inside <strong>{organization.name}</strong> becomes unreachable, and groups stop listing it. This cannot be undone.
            </p>
          </ConfirmAction>
        </section>
      ) : null}
    </>
  );
}
